// The counters one call reaches: who each is kept for, the store operation to make, and the report a decision carries.
import type { CounterOp, CounterReading } from "../stores/store.js";
import type { IndexedRule } from "./compile/policy-set.js";
import { fromMicros, toMicros, type Counter, type KeyKind } from "./compile/rule.js";
import type { GuardContext } from "./context.js";
import type { CounterReport } from "./decision.js";

/** A function that derives a custom counter key from a call. */
export type KeyFunction = (ctx: GuardContext) => string | undefined;

/** One counter to add to for this call: the store operation, and what the engine needs to judge the reading. */
export interface PendingCounter extends CounterOp {
  readonly indexed: IndexedRule;
  readonly counter: Counter;
  readonly partition: string;
  /** For a calendar budget, the end of the current period (epoch ms). */
  readonly periodEnd: number | undefined;
}

/** Grace kept on a budget counter after its period ends, so a late settle still finds it. */
const BUDGET_GRACE_MS = 60_000;

/** The counter's partition for this call: the client, user, API key, route, custom key, or `*` for a global counter. */
export function partitionOf(key: KeyKind, ctx: GuardContext, keys: Readonly<Record<string, KeyFunction>>): string {
  if (key === "client") return ctx.client ?? "unknown-client";
  if (key === "global") return "*";
  if (key === "route") return ctx.route ?? "*";
  const stated = key === "user" ? ctx.user : key === "api_key" ? ctx.apiKey : (ctx.keys?.[key.custom] ?? keys[key.custom]?.(ctx));
  return stated ?? `client:${ctx.client ?? "unknown-client"}`;
}

/** The store key prefix of every counter of every rule (`hexarch:policy:rule:counter:`), by rule order in the file. */
export function counterKeyBases(rules: readonly IndexedRule[], prefix: string): readonly (readonly string[])[] {
  return rules.map((indexed) => indexed.rule.counters.map((_, c) => `${prefix}${indexed.policy.id}:${indexed.rule.ref.index}:${c}:`));
}

/** The counters the given rules keep for this call, in rule order. */
export function pendingCounters(
  rules: readonly IndexedRule[],
  ctx: GuardContext,
  now: number,
  keyBases: readonly (readonly string[])[],
  keys: Readonly<Record<string, KeyFunction>>,
): PendingCounter[] {
  const pending: PendingCounter[] = [];
  for (const indexed of rules) {
    const counters = indexed.rule.counters;
    const bases = keyBases[indexed.seq] as readonly string[];
    for (let c = 0; c < counters.length; c++) {
      const counter = counters[c] as Counter;
      const partition = partitionOf(counter.key, ctx, keys);
      const key = (bases[c] as string) + partition;
      if (counter.kind === "rate") {
        pending.push({ key, points: 1, windowMs: counter.windowMs, indexed, counter, partition, periodEnd: undefined });
      } else {
        const period = counter.period(now);
        const points = counter.fixedCostMicros ?? toMicros(ctx.cost ?? 1);
        const windowMs = period.endsAt - now + BUDGET_GRACE_MS;
        pending.push({ key: `${key}:${period.id}`, points, windowMs, indexed, counter, partition, periodEnd: period.endsAt });
      }
    }
  }
  return pending;
}

/** The counter's limit in store points. */
export function limitPoints(counter: Counter): number {
  return counter.kind === "rate" ? counter.limit : counter.limitMicros;
}

/** The report of one counter, `used` being its points after this call (and after any refund). */
export function counterReport(p: PendingCounter, used: number, reading: CounterReading): CounterReport {
  const { counter, indexed } = p;
  if (counter.kind === "rate") {
    return {
      rule: indexed.rule.ref,
      kind: "rate",
      window: counter.window,
      windowSeconds: counter.windowMs / 1000,
      limit: counter.limit,
      used,
      remaining: Math.max(counter.limit - used, 0),
      resetAt: reading.resetAt,
      partition: p.partition,
      warnAt: indexed.rule.warnAt,
    };
  }
  const resetAt = p.periodEnd ?? reading.resetAt;
  return {
    rule: indexed.rule.ref,
    kind: "budget",
    window: counter.window,
    windowSeconds: Math.round((resetAt - counter.period(resetAt - 1).startsAt) / 1000),
    limit: fromMicros(counter.limitMicros),
    used: fromMicros(used),
    remaining: Math.max(fromMicros(counter.limitMicros - used), 0),
    resetAt,
    partition: p.partition,
    warnAt: indexed.rule.warnAt,
  };
}
