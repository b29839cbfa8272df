// Each budget's spent and reserved amounts this period, summed over its keys: what metrics may show without naming anyone.
import { budgetRows } from "../engine/budget-rows.js";
import type { PolicySet } from "../engine/compile/policy-set.js";
import type { CounterStore } from "../stores/store.js";

/** One budget (policy, rule, window) over every key it counts for. */
export interface BudgetTotal {
  readonly policy: string;
  readonly rule: number;
  readonly window: string;
  readonly spent: number;
  readonly reserved: number;
}

/**
 * The totals of every budget with something spent or reserved in the period running at `now`.
 * @example for (const total of await budgetTotals(guardian.policies, guardian.store, "hexarch:", Date.now())) …
 */
export async function budgetTotals(set: PolicySet, store: CounterStore, prefix: string, now: number): Promise<BudgetTotal[]> {
  const totals = new Map<string, { policy: string; rule: number; window: string; spent: number; reserved: number }>();
  for (const row of await budgetRows(set, store, prefix, now)) {
    const id = `${row.policy}\u0000${row.rule}\u0000${row.window}`;
    const total = totals.get(id) ?? { policy: row.policy, rule: row.rule, window: row.window, spent: 0, reserved: 0 };
    total.spent = Number((total.spent + row.spent).toFixed(6));
    total.reserved = Number((total.reserved + row.reserved).toFixed(6));
    totals.set(id, total);
  }
  return [...totals.values()];
}
