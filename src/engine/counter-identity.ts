// What names a counter in the store across edits of the policy file: policy id, rule scope, window or period, and key.
import type { IndexedRule } from "./compile/policy-set.js";
import type { Counter, KeyKind } from "./compile/rule.js";

function sortedList(value: string | readonly string[] | undefined, normalize: (v: string) => string = (v) => v): string[] | null {
  if (value === undefined) return null;
  return (typeof value === "string" ? [value] : [...value]).map(normalize).sort();
}

function keyName(key: KeyKind): string {
  return typeof key === "string" ? key : `custom:${key.custom}`;
}

/** The rule's scope and the counter's window and key, as one text that edits of anything else leave unchanged. */
function identityText(indexed: IndexedRule, counter: Counter): string {
  const { spec } = indexed.rule;
  const scope = [
    spec.resource === undefined || spec.resource === "*" ? null : spec.resource,
    sortedList(spec.resource_types),
    sortedList(spec.operation, (v) => v.toLowerCase()),
    sortedList(spec.route),
    sortedList(spec.methods, (v) => v.toUpperCase()),
    sortedList(spec.environments),
    spec.feature ?? null,
  ];
  return JSON.stringify([scope, counter.kind, counter.window, keyName(counter.key)]);
}

/** FNV-1a over UTF-16 code units, twice with different offsets: 64 bits as base 36, enough to tell a policy's counters apart. */
function digest(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    a = Math.imul(a ^ unit, 0x01000193) >>> 0;
    b = Math.imul(b ^ unit, 0x01000193) >>> 0;
  }
  return a.toString(36) + b.toString(36);
}

/**
 * The store name of counter `c` of a rule, within its policy: a digest of the rule's scope, the counter's window (or
 * budget period) and its key. Reordering rules or editing a limit, an action or a description leaves it unchanged, so
 * counters survive those edits (a lowered limit then applies to what was already counted). Two counters of one policy
 * with the same identity are told apart by their order (`~1`, `~2`…).
 * @example counterIdentity(indexed, 0) // "1x9k2p0q7d3"
 */
export function counterIdentity(indexed: IndexedRule, c: number): string {
  const counter = indexed.rule.counters[c] as Counter;
  const text = identityText(indexed, counter);
  let earlier = 0;
  for (const other of indexed.policy.rules) {
    if (other === indexed) break;
    for (const each of other.rule.counters) if (identityText(other, each) === text) earlier += 1;
  }
  for (let i = 0; i < c; i++) if (identityText(indexed, indexed.rule.counters[i] as Counter) === text) earlier += 1;
  return earlier === 0 ? digest(text) : `${digest(text)}~${earlier}`;
}
