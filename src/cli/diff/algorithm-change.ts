// Compares the rate algorithm and bucket size of two versions of one rule: an exact sliding window is tighter.
import type { CompiledRule, RateCounter } from "../../engine/compile/rule.js";
import { limitEffect, type Effect } from "./change.js";

type RateAlgorithm = RateCounter["algorithm"];
import type { RuleChange } from "./rule-changes.js";

/** The first rate counter of a rule (they share one algorithm), or undefined for a rule without a rate limit. */
function rateOf(rule: CompiledRule): RateCounter | undefined {
  return rule.counters.find((counter): counter is RateCounter => counter.kind === "rate");
}

/**
 * How replacing one algorithm by another moves what a rule admits: a sliding window admits a subset of what a fixed
 * window of the same limit admits (never twice the limit across a boundary), so that move tightens and its reverse
 * loosens; a token bucket's bound has another shape, so a move to or from it is a change.
 */
function algorithmEffect(before: RateAlgorithm, after: RateAlgorithm): Effect {
  if (before === "fixed_window" && after === "sliding_window") return "tightened";
  if (before === "sliding_window" && after === "fixed_window") return "loosened";
  return "changed";
}

/**
 * The algorithm and burst changes between two versions of a rule: `fixed_window → sliding_window` tightens, a lower
 * burst tightens, a higher one loosens.
 * @example algorithmChanges(old.rule, now.rule) // [{ effect: "tightened", change: "algorithm fixed_window → sliding_window" }]
 */
export function algorithmChanges(beforeRule: CompiledRule, afterRule: CompiledRule): RuleChange[] {
  const before = rateOf(beforeRule)?.algorithm;
  const after = rateOf(afterRule)?.algorithm;
  const changes: RuleChange[] = [];
  if (before !== undefined && after !== undefined && before !== after) {
    changes.push({ effect: algorithmEffect(before, after), change: `algorithm ${before} → ${after}` });
  }
  if (before === "token_bucket" && after === "token_bucket") {
    const [old, now] = [rateOf(beforeRule)?.burst, rateOf(afterRule)?.burst];
    const effect = Number.isNaN(old) || Number.isNaN(now) ? undefined : limitEffect(old, now);
    if (effect !== undefined) changes.push({ effect, change: `burst ${String(old)} → ${String(now)}` });
  }
  return changes;
}
