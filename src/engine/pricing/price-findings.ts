// The findings of rules that must know a call's cost: a model without a price, a call above max_cost_per_call.
import { fromMicros } from "../amount.js";
import type { Finding } from "../finding.js";
import type { CallPrice } from "./call-price.js";

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
