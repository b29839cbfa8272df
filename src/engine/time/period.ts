// Local calendar days and months as half-open instant ranges, plus a tracker that makes the per-request check one comparison.
import { MS_PER_DAY, civilFromDays, daysFromCivil, pad2 } from "./civil.js";
import type { Zone } from "./zone.js";

/** Calendar unit a budget or quota resets on. */
export type PeriodUnit = "day" | "month";

/** One local calendar day or month, as the instants `[startsAt, endsAt)`. */
export interface Period {
  /** `2026-11` for a month, `2026-11-24` for a day (local calendar). */
  readonly id: string;
  /** Epoch ms of the local midnight that opens the period. */
  readonly startsAt: number;
  /** Epoch ms of the local midnight that opens the next period (23h or 25h after a DST day's start). */
  readonly endsAt: number;
}

/**
 * The local calendar day or month of `zone` containing the instant; boundaries are real instants, so a
 * spring-forward day lasts 23 hours and a fall-back day 25.
 * @example calendarPeriod(getZone("America/New_York"), "month", Date.UTC(2026, 10, 15)).id // "2026-11"
 */
export function calendarPeriod(zone: Zone, unit: PeriodUnit, epochMs: number): Period {
  const { year, month, day } = zone.wallClock(epochMs);
  if (unit === "day") {
    const next = civilFromDays(daysFromCivil(year, month, day) + 1);
    return {
      id: `${year}-${pad2(month)}-${pad2(day)}`,
      startsAt: zone.toEpoch(year, month, day, 0),
      endsAt: endAfter(zone, epochMs, next.year, next.month, next.day),
    };
  }
  const nextYear = month === 12 ? year + 1 : year;
  const nextMonth = month === 12 ? 1 : month + 1;
  return {
    id: `${year}-${pad2(month)}`,
    startsAt: zone.toEpoch(year, month, 1, 0),
    endsAt: endAfter(zone, epochMs, nextYear, nextMonth, 1),
  };
}

/**
 * The next local midnight after the instant. Normally the first occurrence of that midnight; when the clock fell back
 * across midnight and the instant sits in the repeated hour before it, the later occurrence.
 */
function endAfter(zone: Zone, epochMs: number, year: number, month: number, day: number): number {
  const firstMidnight = zone.toEpoch(year, month, day, 0);
  if (firstMidnight > epochMs) return firstMidnight;
  return daysFromCivil(year, month, day) * MS_PER_DAY - zone.offsetAt(epochMs);
}

/**
 * A function giving the current period for an instant; it recomputes only when the instant leaves the cached
 * period, so on the hot path it costs one or two comparisons.
 * @example const currentMonth = periodTracker(getZone("UTC"), "month"); currentMonth(Date.now()).id
 */
export function periodTracker(zone: Zone, unit: PeriodUnit): (epochMs: number) => Period {
  let current: Period = { id: "", startsAt: 0, endsAt: 0 };
  return (epochMs: number): Period => {
    if (epochMs >= current.endsAt || epochMs < current.startsAt) current = calendarPeriod(zone, unit, epochMs);
    return current;
  };
}
