// Each budget and key as `hexarch budgets`, the budgets page and alerts report it: spent, reserved, burn rate, projection.
import type { CounterStore } from "../stores/store.js";
import type { IndexedRule, PolicySet } from "./compile/policy-set.js";
import type { BudgetCounter } from "./compile/rule.js";
import { fromMicros } from "./amount.js";
import { counterKeyBase } from "./counters.js";
import { SETTLED_SUFFIX } from "./reservation.js";

/** One budget counter of the current period, for one key (partition). */
export interface BudgetRow {
  readonly policy: string;
  readonly rule: number;
  /** `day` or `month`. */
  readonly window: string;
  /** The calendar period, e.g. `2026-12` or `2026-12-03`, in the rule's time zone. */
  readonly period: string;
  /** Who the counter is kept for: a client address, user, API key, custom key value, or `*`. */
  readonly key: string;
  readonly limit: number;
  /** What settled calls cost (with a fixed `cost`, every admitted call). */
  readonly spent: number;
  /** Estimates of calls admitted and not settled yet. */
  readonly reserved: number;
  readonly remaining: number;
  /** Spent and reserved per day since the period began. */
  readonly burnPerDay: number;
  /** Spent and reserved at the end of the period if the burn rate holds. */
  readonly projected: number;
  readonly periodEndsAt: string;
  /** The IANA time zone the period follows. */
  readonly timezone: string;
  /** The warning threshold as a fraction of the limit (`warn_at_80%`: 0.8), or null without one. */
  readonly warnAt: number | null;
}

const DAY_MS = 86_400_000;
/** The shortest elapsed time a burn rate is computed over, so the first minute of a period does not project wildly. */
const MIN_ELAPSED_MS = 60_000;

/**
 * The rows of every budget of the set, per key, for the period running at `now`: keys are found with the store's
 * `keysWithPrefix`, amounts read with `peek`. Rows are ordered by policy, rule, then key.
 * @example await budgetRows(guardian.policies, guardian.store, "hexarch:", Date.now())
 */
export async function budgetRows(set: PolicySet, store: CounterStore, prefix: string, now: number): Promise<BudgetRow[]> {
  if (store.keysWithPrefix === undefined) throw new TypeError(`the ${store.name} store cannot list its counters`);
  const rows: BudgetRow[] = [];
  for (const indexed of set.rules) {
    for (const [c, counter] of indexed.rule.counters.entries()) {
      if (counter.kind !== "budget") continue;
      const base = counterKeyBase(prefix, indexed, c);
      const ending = `:${counter.period(now).id}`;
      for (const key of (await store.keysWithPrefix(base)).sort()) {
        if (key.endsWith(ending)) rows.push(await budgetRow(indexed, c, key.slice(base.length, -ending.length), store, prefix, now));
      }
    }
  }
  return rows;
}

/**
 * The row of budget counter `c` of a rule for one key (partition), in the period running at `now`: two `peek`s.
 * @example await budgetRow(indexed, 0, "alice", guardian.store, "hexarch:", Date.now())
 */
export async function budgetRow(
  indexed: IndexedRule,
  c: number,
  partition: string,
  store: CounterStore,
  prefix: string,
  now: number,
): Promise<BudgetRow> {
  const counter = indexed.rule.counters[c] as BudgetCounter;
  const period = counter.period(now);
  const key = `${counterKeyBase(prefix, indexed, c)}${partition}:${period.id}`;
  const used = (await store.peek(key))?.used ?? 0;
  const settled = counter.fixedCostMicros === undefined ? ((await store.peek(key + SETTLED_SUFFIX))?.used ?? 0) : used;
  return row(indexed.policy.id, indexed.rule.ref.index, counter, partition, used, settled, period, now);
}

function row(
  policy: string,
  rule: number,
  counter: BudgetCounter,
  key: string,
  used: number,
  settled: number,
  period: { id: string; startsAt: number; endsAt: number },
  now: number,
): BudgetRow {
  const elapsed = Math.max(now - period.startsAt, MIN_ELAPSED_MS);
  const perMs = used / elapsed;
  const projected = Math.round(used + perMs * Math.max(period.endsAt - now, 0));
  return {
    policy,
    rule,
    window: counter.window,
    period: period.id,
    key,
    limit: fromMicros(counter.limitMicros),
    spent: fromMicros(Math.min(settled, used)),
    reserved: fromMicros(Math.max(used - settled, 0)),
    remaining: fromMicros(Math.max(counter.limitMicros - used, 0)),
    burnPerDay: fromMicros(Math.round(perMs * DAY_MS)),
    projected: fromMicros(projected),
    periodEndsAt: new Date(period.endsAt).toISOString(),
    timezone: counter.timezone,
    warnAt: counter.warnPoints === undefined ? null : Math.round((counter.warnPoints / counter.limitMicros) * 10_000) / 10_000,
  };
}
