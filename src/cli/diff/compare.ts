// Compares two compiled policy sets by meaning: policies and rules added or removed, modes and limits moved.
import type { CompiledPolicy, IndexedRule, PolicySet } from "../../engine/compile/policy-set.js";
import { counted } from "../wording.js";
import type { Change, Effect } from "./change.js";
import { ruleChanges, scopeSets } from "./rule-changes.js";

function modeOf(policy: CompiledPolicy, set: PolicySet): "strict" | "warn" {
  return policy.mode ?? set.mode;
}

/** Whether a policy can refuse anything: enabled and enforced strictly. */
function enforces(policy: CompiledPolicy, set: PolicySet): boolean {
  return policy.enabled && modeOf(policy, set) === "strict";
}

/** A key that is equal for two rules with the same scope, so reordered rules still pair up. */
function scopeKey(indexed: IndexedRule): string {
  return JSON.stringify(
    Object.entries(scopeSets(indexed.rule.spec)).map(([name, values]) => [name, values === undefined ? null : [...values].sort()]),
  );
}

/** Removes and returns the first candidate with the same key, or undefined. */
function takeMatching(candidates: IndexedRule[], key: (indexed: IndexedRule) => string, wanted: string): IndexedRule | undefined {
  const at = candidates.findIndex((candidate) => key(candidate) === wanted);
  return at === -1 ? undefined : candidates.splice(at, 1)[0];
}

/**
 * Pairs old and new rules: identical rules first, then rules with the same scope, then what is left by position,
 * so reordering rules is no change; the rest were added or removed.
 */
function pairRules(before: readonly IndexedRule[], after: readonly IndexedRule[]) {
  const pairs: [IndexedRule, IndexedRule][] = [];
  let unmatchedOld = [...before];
  const unmatchedNew = [...after];
  for (const key of [(indexed: IndexedRule) => JSON.stringify(indexed.rule.spec), scopeKey]) {
    unmatchedOld = unmatchedOld.filter((old) => {
      const match = takeMatching(unmatchedNew, key, key(old));
      if (match !== undefined) pairs.push([old, match]);
      return match === undefined;
    });
  }
  const leftover = Math.min(unmatchedOld.length, unmatchedNew.length);
  for (let i = 0; i < leftover; i++) pairs.push([unmatchedOld[i] as IndexedRule, unmatchedNew[i] as IndexedRule]);
  pairs.sort((a, b) => a[1].seq - b[1].seq);
  return { pairs, removed: unmatchedOld.slice(leftover), added: unmatchedNew.slice(leftover) };
}

function policyChanges(old: CompiledPolicy, now: CompiledPolicy, oldSet: PolicySet, newSet: PolicySet): Change[] {
  const policy = now.id;
  const changes: Change[] = [];
  if (old.enabled !== now.enabled)
    changes.push({ policy, effect: now.enabled ? "tightened" : "loosened", change: now.enabled ? "policy enabled" : "policy disabled" });
  const [oldMode, newMode] = [modeOf(old, oldSet), modeOf(now, newSet)];
  if (oldMode !== newMode) {
    const source = now.mode === undefined ? " (the file's enforcement)" : "";
    changes.push({
      policy,
      effect: newMode === "strict" ? "tightened" : "loosened",
      change: `enforcement ${oldMode} → ${newMode}${source}`,
    });
  }
  if (old.fail !== now.fail)
    changes.push({
      policy,
      effect: now.fail === "closed" ? "tightened" : "loosened",
      change: `on a store outage: fail ${old.fail} → ${now.fail}`,
    });
  const { pairs, removed, added } = pairRules(old.rules, now.rules);
  for (const [before, after] of pairs) {
    for (const found of ruleChanges(before.rule, after.rule)) changes.push({ policy, rule: after.rule.ref.index, ...found });
  }
  for (const gone of removed)
    changes.push({ policy, rule: gone.rule.ref.index, effect: "loosened", change: `rule removed: ${gone.rule.ref.summary}` });
  for (const rule of added)
    changes.push({ policy, rule: rule.rule.ref.index, effect: "tightened", change: `rule added: ${rule.rule.ref.summary}` });
  return changes;
}

/**
 * Every change in meaning from `before` to `after`, policy by policy in the new file's order, removed policies last.
 * Descriptions, comments, key order and spelling variants (`mon` for `monday`) are not changes.
 * @example
 * diffPolicySets(oldSet, newSet)
 * // [{ policy: "rate_limit", rule: 0, effect: "tightened", change: "requests_per_minute 100 → 50" }]
 */
export function diffPolicySets(before: PolicySet, after: PolicySet): Change[] {
  const changes: Change[] = [];
  for (const now of after.policies.values()) {
    const old = before.policies.get(now.id);
    if (old === undefined) {
      const effect: Effect = enforces(now, after) ? "tightened" : "changed";
      const how = enforces(now, after) ? "" : now.enabled ? " (warn mode: reports only)" : " (disabled)";
      changes.push({ policy: now.id, effect, change: `policy added with ${counted(now.rules.length, "rule")}${how}` });
    } else changes.push(...policyChanges(old, now, before, after));
  }
  for (const old of before.policies.values()) {
    if (after.policies.has(old.id)) continue;
    changes.push({ policy: old.id, effect: enforces(old, before) ? "loosened" : "changed", change: "policy removed" });
  }
  return changes;
}
