// guardian.reset(): deletes the counters of one policy, for one partition (a client, a user…) or for all of them.
import type { CounterStore } from "../stores/store.js";
import type { CompiledPolicy } from "./compile/policy-set.js";
import { counterKeyBase } from "./counters.js";

/** What a reset needs to name the counters: the store, the key prefix and the clock (for a budget's current period). */
export interface ResetTarget {
  readonly store: CounterStore;
  readonly prefix: string;
  readonly clock: () => number;
}

function unsupported(store: CounterStore, method: string): Error {
  return new TypeError(`the ${store.name} store has no ${method}(), so its counters cannot be reset; implement it on the store`);
}

/**
 * Deletes the counters of `policy`: with `partition` (the counter's key value: a client address, a user id, `*` for
 * a global counter), only that partition's counters, budgets in their current period; without it, every partition.
 * @example await resetCounters(policy, "203.0.113.9", { store, prefix: "hexarch:", clock: Date.now })
 */
export async function resetCounters(policy: CompiledPolicy, partition: string | undefined, target: ResetTarget): Promise<void> {
  const { store, prefix } = target;
  if (partition === undefined) {
    if (store.resetPrefix === undefined) throw unsupported(store, "resetPrefix");
    for (const indexed of policy.rules)
      for (let c = 0; c < indexed.rule.counters.length; c++) await store.resetPrefix(counterKeyBase(prefix, indexed, c));
    return;
  }
  if (store.resetKey === undefined) throw unsupported(store, "resetKey");
  const now = target.clock();
  for (const indexed of policy.rules) {
    const counters = indexed.rule.counters;
    for (let c = 0; c < counters.length; c++) {
      const counter = counters[c];
      const base = counterKeyBase(prefix, indexed, c) + partition;
      await store.resetKey(counter?.kind === "budget" ? `${base}:${counter.period(now).id}` : base);
    }
  }
}
