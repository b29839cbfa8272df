// Explains a decision rule by rule: which applied and what they found, which did not and why.
import type { IndexedRule, PolicySet } from "./compile/policy-set.js";
import type { ExplanationEntry } from "./decision.js";
import { describeMiss, scopeMiss, type ScopedCall } from "./scope.js";
import { describePrice } from "./pricing/call-price.js";

/** What evaluation wrote down about one rule. */
export interface RuleNote {
  readonly indexed: IndexedRule;
  readonly text: string;
}

/**
 * How far a call got with its counters: none reached, refused before counting, counted and kept, counted and
 * given back because the call was refused, counted though refused (`count: all`), or not counted because the store failed.
 */
export type Counting = "none" | "refused-before" | "kept" | "given-back" | "counted-refused" | "store-failed";

const COUNTING_WHY: Record<Counting, string> = {
  none: "applied; its checks passed",
  "refused-before": "applied; its counters were not touched because the call was refused before counting",
  kept: "applied; within its limits",
  "given-back": "applied; within its limits, and its points were given back because the call was refused",
  "counted-refused": "applied; the call was refused and still counted against the rate limits with count: all",
  "store-failed": "applied; its counters could not be read because the counter store failed",
};

function whyNot(indexed: IndexedRule, call: ScopedCall, policyIds: readonly string[] | undefined): string | undefined {
  if (policyIds !== undefined && !policyIds.includes(indexed.policy.id)) return `only ${policyIds.join(", ")} applied to this call`;
  if (!indexed.policy.enabled) return "the policy is disabled (enabled: false)";
  const miss = scopeMiss(indexed.rule.scope, call);
  if (miss !== undefined) return describeMiss(miss, call);
  return undefined;
}

/** How one rule's counters fared: in a refused call, only `count: all` rules keep their count. */
function countingOf(indexed: IndexedRule, counting: Counting): Counting {
  const refused = counting === "given-back" || counting === "counted-refused";
  if (refused && indexed.rule.countsRefused) return "counted-refused";
  return counting === "counted-refused" ? "refused-before" : counting;
}

/** What one evaluation wrote down: every rule of the set with whether it applied and why. Built only when asked for. */
export interface EvaluationRecord {
  readonly set: PolicySet;
  readonly call: ScopedCall;
  readonly policyIds: readonly string[] | undefined;
  readonly notes: readonly RuleNote[] | undefined;
  readonly counting: Counting;
  readonly off: boolean;
}

/** Every rule of the set with whether it applied and why. */
export function explainRules({ set, call, policyIds, notes, counting, off }: EvaluationRecord): ExplanationEntry[] {
  return set.rules.map((indexed) => {
    const rule = indexed.rule.ref;
    if (off) return { rule, applied: false, why: "enforcement is off" };
    const excluded = whyNot(indexed, call, policyIds);
    if (excluded !== undefined) return { rule, applied: false, why: excluded };
    const found = (notes ?? []).filter((note) => note.indexed === indexed).map((note) => note.text);
    const priced = call.price !== undefined && indexed.rule.needsPrice ? `; ${describePrice(call.price)}` : "";
    if (found.length > 0) return { rule, applied: true, why: found.join("; ") + priced };
    return { rule, applied: true, why: COUNTING_WHY[indexed.rule.counters.length === 0 ? "none" : countingOf(indexed, counting)] + priced };
  });
}
