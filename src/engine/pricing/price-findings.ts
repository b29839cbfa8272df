// The findings of rules that must know a call's cost: a model without a price, no bound, a call above max_cost_per_call.
import { fromMicros, toMicros } from "../amount.js";
import type { CompiledRule } from "../compile/rule.js";
import type { Finding } from "../finding.js";
import type { ScopedCall } from "../scope.js";
import type { CallPrice } from "./call-price.js";

/**
 * What a rule that must know the call's cost (`needsPrice`) finds, if anything: a model with no price (refused, never
 * admitted free), a priced call whose token counts bound nothing reaching a budget with no `max_cost_per_call` to
 * reserve instead, or a reservation above the rule's `max_cost_per_call`.
 */
export function priceFinding(rule: CompiledRule, call: ScopedCall): Finding | undefined {
  const { price } = call;
  if (price !== undefined && price.micros === undefined) return unpricedFinding(price.model ?? "");
  if (price?.unbounded !== undefined && price.boundedBy === undefined && rule.reservesByPrice) return unboundedFinding(price);
  const micros = price?.micros ?? toMicros(call.ctx.cost ?? 1);
  return rule.maxCostMicros !== undefined && micros > rule.maxCostMicros ? ceilingFinding(micros, rule.maxCostMicros, price) : undefined;
}

/** A priced call that left out a token count, reaching a budget that would reserve an estimate bounding nothing. */
export function unboundedFinding(price: CallPrice): Finding {
  return {
    kind: "cost",
    reason:
      `model "${price.model ?? ""}" is priced by tokens, but the call states no ${price.unbounded ?? ""}, so nothing bounds what it ` +
      "may spend; state inputTokens and maxOutputTokens (the provider's max_tokens), or the call's cost, or give the rule a " +
      "max_cost_per_call to reserve",
  };
}

/** A call naming a model that no `prices:` entry prices, reaching a rule that must know what it costs. */
export function unpricedFinding(model: string): Finding {
  return {
    kind: "model",
    reason: `model "${model}" has no price under prices:, and this rule's budget needs one; add prices.${model} (input_per_mtok, output_per_mtok) or state the call's cost`,
  };
}

/** A call whose reservation is above the rule's `max_cost_per_call`: refused before anything is counted. */
export function ceilingFinding(micros: number, maxMicros: number, price: CallPrice | undefined): Finding {
  const tokens =
    price === undefined || price.costStated
      ? ""
      : ` (${price.model ?? ""}: ${price.inputTokens} input + ${price.maxOutputTokens} max output tokens)`;
  return {
    kind: "ceiling",
    reason: `this call would reserve ${fromMicros(micros)}${tokens}, more than max_cost_per_call ${fromMicros(maxMicros)}`,
  };
}
