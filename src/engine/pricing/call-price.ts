// What one call that states a model or tokens will reserve: the price entry, the token estimate, or why it cannot say.
import { fromMicros, toMicros } from "../amount.js";
import type { GuardContext } from "../context.js";
import type { PriceEntry, PriceTable } from "./price-table.js";
import { tokenCostMicros, tokenCountProblem } from "./token-cost.js";

/** The price of a call that states a model or token counts. */
export interface CallPrice {
  readonly model: string | undefined;
  /** The `prices:` entry that prices the model, or undefined when none does. */
  readonly entry: PriceEntry | undefined;
  /** What budgets reserve, in millionths: the stated `cost`, else the token estimate; undefined when unpriced. */
  readonly micros: number | undefined;
  readonly inputTokens: number;
  readonly maxOutputTokens: number;
  /** True when the call stated its `cost`, which then wins over the token estimate. */
  readonly costStated: boolean;
  /**
   * The token counts a priced call left out, so its estimate bounds nothing (`"maxOutputTokens"`); undefined when it
   * stated both, or its cost, or its model has no price.
   */
  readonly unbounded: string | undefined;
  /** For an unbounded call: the smallest `max_cost_per_call` of the rules it reaches, which `micros` then holds. */
  readonly boundedBy: number | undefined;
}

/**
 * The price of a call, or a sentence saying why its token counts cannot be used (the call is then refused, as a cost
 * that is not an amount is). A stated `cost` wins over the token estimate; the entry is still found for `settle(usage)`.
 * @example priceCall({ model: "gpt-4o", inputTokens: 1000, maxOutputTokens: 500 }, table).micros // 7500
 */
export function priceCall(ctx: GuardContext, table: PriceTable): CallPrice | string {
  const { model } = ctx;
  const inputTokens = ctx.inputTokens ?? 0;
  const maxOutputTokens = ctx.maxOutputTokens ?? 0;
  const problem = tokenCountProblem(inputTokens, "inputTokens") ?? tokenCountProblem(maxOutputTokens, "maxOutputTokens");
  if (problem !== undefined) return problem;
  if (model === undefined) return "token counts were stated without a model: name the model so its price applies";
  if (typeof model !== "string" || model === "")
    return `model ${JSON.stringify(model) ?? String(model)} is not a model name: give the name the provider uses, e.g. "gpt-4o"`;
  const entry = table.lookup(model);
  const micros =
    ctx.cost !== undefined
      ? toMicros(ctx.cost)
      : entry === undefined
        ? undefined
        : tokenCostMicros({ input: inputTokens, cachedInput: 0, output: maxOutputTokens }, entry.prices);
  const costStated = ctx.cost !== undefined;
  const unbounded = entry === undefined || costStated ? undefined : unstatedCounts(ctx);
  return { model, entry, micros, inputTokens, maxOutputTokens, costStated, unbounded, boundedBy: undefined };
}

/** The token counts a call left out, in words, or undefined when it stated both. */
function unstatedCounts(ctx: GuardContext): string | undefined {
  if (ctx.inputTokens === undefined) return ctx.maxOutputTokens === undefined ? "inputTokens and maxOutputTokens" : "inputTokens";
  return ctx.maxOutputTokens === undefined ? "maxOutputTokens" : undefined;
}

/**
 * The price of an unbounded call (it left out a token count, so its token estimate bounds nothing) bounded by the
 * smallest `max_cost_per_call` among `ceilings` (in millionths), which it then reserves; the price itself when none.
 * @example boundedPrice(price, [1_000_000, 250_000]).micros // 250000
 */
export function boundedPrice(price: CallPrice, ceilings: Iterable<number | undefined>): CallPrice {
  let bound: number | undefined;
  for (const ceiling of ceilings) if (ceiling !== undefined && (bound === undefined || ceiling < bound)) bound = ceiling;
  return bound === undefined ? price : { ...price, micros: bound, boundedBy: bound };
}

/**
 * How a priced call's reservation was worked out, for explanations.
 * @example describePrice(price) // "priced by prices.gpt-4o: 1000 input tokens × 2.5 + 500 max output tokens × 10 per million = 0.0075"
 */
export function describePrice(price: CallPrice): string {
  const { entry, model } = price;
  if (entry === undefined) return `model ${model ?? "(none)"} has no entry under prices:`;
  if (price.costStated)
    return `model ${model ?? ""} is priced by prices.${entry.pattern}; this call stated its cost, which budgets reserve instead`;
  if (price.unbounded !== undefined) {
    const reserves =
      price.boundedBy === undefined ? "its cost has no bound" : `it reserves max_cost_per_call ${fromMicros(price.boundedBy)}`;
    return `priced by prices.${entry.pattern}, but the call states no ${price.unbounded}: ${reserves}`;
  }
  const formula = `${price.inputTokens} input tokens × ${entry.spec.input_per_mtok} + ${price.maxOutputTokens} max output tokens × ${entry.spec.output_per_mtok} per million`;
  const reserved = price.micros === undefined ? "" : ` = ${fromMicros(price.micros)}`;
  return `priced by prices.${entry.pattern}: ${formula}${reserved}`;
}
