// A read-only view of a counter store: a dry run sees the real counters and what this call would add, and changes nothing.
import type { CounterOp, CounterReading, CounterStore } from "../stores/store.js";

/**
 * The store as a dry run sees it: `consume` answers what the counters would read after this call without
 * writing; refunds, sets and claims do nothing (a claim reports "first", so a token is never spent by a dry run).
 * @example createGuardian({ policyFile, store: dryRunView(store), decisionLog: false })
 */
export function dryRunView(store: CounterStore): CounterStore {
  return {
    name: store.name,
    async consume(ops: readonly CounterOp[]): Promise<readonly CounterReading[]> {
      const now = Date.now();
      const readings = await Promise.all(ops.map((op) => store.peek(op.key)));
      return ops.map((op, i) => {
        const reading = readings[i];
        return { used: (reading?.used ?? 0) + op.points, resetAt: reading?.resetAt ?? now + op.windowMs };
      });
    },
    refund: async () => {},
    peek: (key) => store.peek(key),
    set: async () => {},
    claimOnce: () => Promise.resolve(true),
  };
}
