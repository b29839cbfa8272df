// Which of a call's counters keep its points and which give them back: refused calls, `count: all` rules, shadowed counters.
import type { CounterReading } from "../stores/store.js";
import type { PendingCounter } from "./counters.js";

/**
 * What giving back a counter's points takes: the op itself for a fixed window or budget; for a sliding window or
 * bucket, the op with the mark of exactly this call, or nothing when the counter refused the call and took nothing.
 */
export function refundOf(p: PendingCounter, reading: CounterReading): readonly PendingCounter[] {
  if (p.rate === undefined) return [p];
  return reading.mark === undefined ? [] : [{ ...p, mark: reading.mark }];
}

/** Whether a counter counts a refused call: the rate counters of `count: all` rules. */
function countsWhenRefused(p: PendingCounter): boolean {
  return p.counter.kind === "rate" && p.indexed.rule.countsRefused;
}

/** The counters a refused call still counts against, or undefined when there are none (the usual case). */
export function countedWhenRefused(pending: readonly PendingCounter[]): PendingCounter[] | undefined {
  let counted: PendingCounter[] | undefined;
  for (const p of pending) if (countsWhenRefused(p)) (counted ??= []).push(p);
  return counted;
}

/** The counters whose points a refused call gives back: all but those of `count: all` rate limits. */
export function notCountedWhenRefused(pending: readonly PendingCounter[]): readonly PendingCounter[] {
  return pending.some(countsWhenRefused) ? pending.filter((p) => !countsWhenRefused(p)) : pending;
}

/** The counters of `pending` that are not in `givenBack`, in order. */
export function withoutGivenBack(pending: readonly PendingCounter[], givenBack: readonly PendingCounter[]): PendingCounter[] {
  const kept: PendingCounter[] = [];
  for (const p of pending) if (!givenBack.includes(p)) kept.push(p);
  return kept;
}
