// Explains a decision rule by rule: which applied and what they found, which did not and why.
import type { IndexedRule, PolicySet } from "./compile/policy-set.js";
import type { ExplanationEntry } from "./decision.js";
import { describeMiss, scopeMiss, type ScopedCall } from "./scope.js";

/** What evaluation wrote down about one rule. */
export interface RuleNote {
  readonly indexed: IndexedRule;
  readonly text: string;
}

function whyNot(indexed: IndexedRule, call: ScopedCall, policyIds: readonly string[] | undefined): string | undefined {
  if (policyIds !== undefined && !policyIds.includes(indexed.policy.id)) return `only ${policyIds.join(", ")} applied to this call`;
  if (!indexed.policy.enabled) return "the policy is disabled (enabled: false)";
  const miss = scopeMiss(indexed.rule.scope, call);
  if (miss !== undefined) return describeMiss(miss, call);
  return undefined;
}

/** Every rule of the set with whether it applied and why. Computed only when asked for. */
export function explainDecision(
  set: PolicySet,
  call: ScopedCall,
  policyIds: readonly string[] | undefined,
  notes: readonly RuleNote[],
  off: boolean,
): ExplanationEntry[] {
  return set.rules.map((indexed) => {
    const rule = indexed.rule.ref;
    if (off) return { rule, applied: false, why: "enforcement is off" };
    const excluded = whyNot(indexed, call, policyIds);
    if (excluded !== undefined) return { rule, applied: false, why: excluded };
    const found = notes.filter((note) => note.indexed === indexed).map((note) => note.text);
    return { rule, applied: true, why: found.length === 0 ? "applied; within its limits" : found.join("; ") };
  });
}
