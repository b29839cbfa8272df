// Compiled time windows (allowed/forbidden hours and days in a zone): a table lookup per call, refusals with reason and retry time.
/*
 * Semantics of a time window spec:
 * - allowed: when allowed_days and/or allowed_hours are given, the call must fall on an allowed day (if allowed_days is
 *   given) AND inside one of the allowed hour ranges (if allowed_hours is given). Neither given: no allowed rule.
 * - forbidden: when forbidden_days and/or forbidden_hours are given, the call is refused when it falls on a forbidden
 *   day (any day if forbidden_days is absent) AND inside a forbidden hour range (the whole day if forbidden_hours is
 *   absent). Neither given: no forbidden rule.
 * - A call is refused when it is not allowed OR it is forbidden; "not allowed" is the reason reported when both hold.
 * - Hour ranges are "HH:MM-HH:MM" on the 24-hour local clock, start inclusive and end exclusive; the end may be 24:00.
 *   An end at or before the start crosses midnight, and such a range belongs to the day it STARTS on: with
 *   forbidden_days [friday] and forbidden_hours ["22:00-06:00"], Saturday 03:00 is forbidden and Friday 03:00 is not.
 *   The same rule applies to allowed ranges.
 * - Days are English names or 3-letter abbreviations, any case. The zone is an IANA name, "UTC" by default; days and
 *   hours are read from the local wall clock there, so ranges follow DST.
 * - retryAfterSeconds counts up to the first minute boundary after the call at which the window would allow a call,
 *   searched minute by minute over at most 8 days (8 days is reported when it never opens in that span).
 */
import { MINUTES_PER_DAY, MS_PER_DAY, MS_PER_MINUTE, dayOfWeekFromDays } from "./civil.js";
import { DAY_NAMES, type HourRange, describeDays, formatMinuteOfDay, parseDayName, parseHourRange } from "./window-spec.js";
import { type Zone, getZone } from "./zone.js";

/** A time window as written in `hexarch.yaml` (already validated: only bad input makes compiling throw). */
export interface TimeWindowSpec {
  readonly allowed_hours?: readonly string[] | undefined;
  readonly forbidden_hours?: readonly string[] | undefined;
  readonly allowed_days?: readonly string[] | undefined;
  readonly forbidden_days?: readonly string[] | undefined;
  /** IANA zone name; default `UTC`. */
  readonly timezone?: string | undefined;
}

/** Outcome of checking one instant against a window. */
export type TimeWindowResult = { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly retryAfterSeconds: number };

/** A compiled window; `check` is cheap enough to run on every request. */
export interface TimeWindow {
  /** The zone name as written in the spec (`UTC` by default). */
  readonly timezone: string;
  /** One human line describing the window, as {@link describeTimeWindow} gives it. */
  readonly description: string;
  /** Whether a call at the instant (epoch ms) is allowed; when not, why and how long until it would be. */
  check(epochMs: number): TimeWindowResult;
}

/** One side of a window (allowed or forbidden); `null` hours or days mean "not restricted on that axis". */
interface WindowRule {
  readonly ranges: readonly HourRange[] | null;
  readonly days: ReadonlySet<number> | null;
  /** e.g. `allowed hours 09:00-17:00 on monday-friday`. */
  readonly description: string;
  /** e.g. `outside allowed hours 09:00-17:00 on monday-friday`. */
  readonly refusal: string;
}

const ALLOWED: TimeWindowResult = Object.freeze({ ok: true });
const VERDICT_OK = 0;
const VERDICT_NOT_ALLOWED = 1;
const VERDICT_FORBIDDEN = 2;
const MAX_SEARCH_MINUTES = 8 * MINUTES_PER_DAY;

/** Builds one side of the window, or `null` when the spec says nothing about that side. */
function compileRule(
  side: "allowed" | "forbidden",
  hours: readonly string[] | undefined,
  dayNames: readonly string[] | undefined,
): WindowRule | null {
  if (hours === undefined && dayNames === undefined) return null;
  const ranges = hours === undefined ? null : hours.map(parseHourRange);
  const days = dayNames === undefined ? null : new Set(dayNames.map(parseDayName));
  const dayText = days === null ? "" : describeDays(days);
  if (ranges === null) {
    const description = `${side} days ${dayText}`;
    return { ranges, days, description, refusal: `${side === "allowed" ? "outside" : "on"} ${description}` };
  }
  const description = `${side} hours ${ranges.map((range) => range.label).join(", ")}${days === null ? "" : ` on ${dayText}`}`;
  return { ranges, days, description, refusal: `${side === "allowed" ? "outside" : "inside"} ${description}` };
}

/** Whether local (dayOfWeek, minuteOfDay) is covered by the rule; a midnight-crossing range counts for its start day. */
function ruleCovers(rule: WindowRule, dayOfWeek: number, minuteOfDay: number): boolean {
  const onDay = (day: number): boolean => rule.days === null || rule.days.has(day);
  if (rule.ranges === null) return onDay(dayOfWeek);
  const previousDay = (dayOfWeek + 6) % 7;
  return rule.ranges.some((range) =>
    range.end > range.start
      ? minuteOfDay >= range.start && minuteOfDay < range.end && onDay(dayOfWeek)
      : (minuteOfDay >= range.start && onDay(dayOfWeek)) || (minuteOfDay < range.end && onDay(previousDay)),
  );
}

/** Verdict for every minute of the week, indexed `dayOfWeek * 1440 + minuteOfDay`. */
function buildWeekTable(allowed: WindowRule | null, forbidden: WindowRule | null): Uint8Array {
  const table = new Uint8Array(7 * MINUTES_PER_DAY);
  for (let dayOfWeek = 0; dayOfWeek < 7; dayOfWeek++) {
    for (let minute = 0; minute < MINUTES_PER_DAY; minute++) {
      const verdict =
        allowed !== null && !ruleCovers(allowed, dayOfWeek, minute)
          ? VERDICT_NOT_ALLOWED
          : forbidden !== null && ruleCovers(forbidden, dayOfWeek, minute)
            ? VERDICT_FORBIDDEN
            : VERDICT_OK;
      table[dayOfWeek * MINUTES_PER_DAY + minute] = verdict;
    }
  }
  return table;
}

/** A window compiled to a weekly minute table, with caches so repeated refusals stay cheap. */
class CompiledTimeWindow implements TimeWindow {
  readonly timezone: string;
  readonly description: string;
  private readonly zone: Zone;
  private readonly table: Uint8Array;
  private readonly allowed: WindowRule | null;
  private readonly forbidden: WindowRule | null;
  /** Every instant in `[refusedFrom, reopensAt)` is refused and the window next opens at `reopensAt`. */
  private refusedFrom = Number.NaN;
  private reopensAt = Number.NaN;
  private reasonMinute = Number.NaN;
  private reason = "";

  constructor(spec: TimeWindowSpec) {
    this.timezone = spec.timezone ?? "UTC";
    this.zone = getZone(this.timezone);
    this.allowed = compileRule("allowed", spec.allowed_hours, spec.allowed_days);
    this.forbidden = compileRule("forbidden", spec.forbidden_hours, spec.forbidden_days);
    this.table = buildWeekTable(this.allowed, this.forbidden);
    this.description = describeRules(this.allowed, this.forbidden, this.timezone);
  }

  check(epochMs: number): TimeWindowResult {
    const verdict = this.verdictAt(epochMs);
    return verdict === VERDICT_OK ? ALLOWED : this.refuse(epochMs, verdict);
  }

  /** Table lookup for the local weekday and minute at the instant. */
  private verdictAt(epochMs: number): number {
    const localMs = epochMs + this.zone.offsetAt(epochMs);
    const days = Math.floor(localMs / MS_PER_DAY);
    const minuteOfDay = Math.floor((localMs - days * MS_PER_DAY) / MS_PER_MINUTE);
    return this.table[dayOfWeekFromDays(days) * MINUTES_PER_DAY + minuteOfDay] ?? VERDICT_OK;
  }

  /** The refusal for an instant whose verdict is not OK, reusing the cached reopening time and reason when valid. */
  private refuse(epochMs: number, verdict: number): TimeWindowResult {
    if (!(epochMs >= this.refusedFrom && epochMs < this.reopensAt)) {
      this.refusedFrom = epochMs;
      this.reopensAt = this.findReopening(epochMs);
    }
    const minute = Math.floor(epochMs / MS_PER_MINUTE);
    if (minute !== this.reasonMinute) {
      this.reasonMinute = minute;
      this.reason = this.describeRefusal(epochMs, verdict);
    }
    return { ok: false, reason: this.reason, retryAfterSeconds: Math.ceil((this.reopensAt - epochMs) / 1000) };
  }

  /** First minute boundary after the instant at which the window allows calls, or the search bound (8 days). */
  private findReopening(epochMs: number): number {
    const giveUpAt = epochMs + MAX_SEARCH_MINUTES * MS_PER_MINUTE;
    for (let candidate = (Math.floor(epochMs / MS_PER_MINUTE) + 1) * MS_PER_MINUTE; candidate <= giveUpAt; candidate += MS_PER_MINUTE) {
      if (this.verdictAt(candidate) === VERDICT_OK) return candidate;
    }
    return giveUpAt;
  }

  /** e.g. `outside allowed hours 09:00-17:00 on monday-friday (America/New_York); it is 18:05 on tuesday there`. */
  private describeRefusal(epochMs: number, verdict: number): string {
    const rule = verdict === VERDICT_NOT_ALLOWED ? this.allowed : this.forbidden;
    const { dayOfWeek, minuteOfDay } = this.zone.wallClock(epochMs);
    const now = `it is ${formatMinuteOfDay(minuteOfDay)} on ${DAY_NAMES[dayOfWeek] ?? "?"} there`;
    return `${rule?.refusal ?? "outside the time window"} (${this.timezone}); ${now}`;
  }
}

/** One line for both sides, e.g. `allowed hours 09:00-17:00 on monday-friday; forbidden days saturday (UTC)`. */
function describeRules(allowed: WindowRule | null, forbidden: WindowRule | null, timezone: string): string {
  const parts = [allowed?.description, forbidden?.description].filter((part) => part !== undefined);
  return `${parts.length === 0 ? "any time" : parts.join("; ")} (${timezone})`;
}

/**
 * Compiles a window spec once; the result's `check(epochMs)` is a table lookup. Throws an Error on a malformed hour
 * range or day name, a RangeError on an unknown zone. See the semantics at the top of this file.
 * @example
 * const window = compileTimeWindow({ allowed_hours: ["09:00-17:00"], allowed_days: ["mon", "tue", "wed", "thu", "fri"] });
 * window.check(Date.now())
 */
export function compileTimeWindow(spec: TimeWindowSpec): TimeWindow {
  return new CompiledTimeWindow(spec);
}

/**
 * One human line describing the window, for explanations; throws like {@link compileTimeWindow} on malformed input.
 * @example
 * describeTimeWindow({ forbidden_days: ["friday"], forbidden_hours: ["16:00-24:00"] })
 * // "forbidden hours 16:00-24:00 on friday (UTC)"
 */
export function describeTimeWindow(spec: TimeWindowSpec): string {
  return describeRules(
    compileRule("allowed", spec.allowed_hours, spec.allowed_days),
    compileRule("forbidden", spec.forbidden_hours, spec.forbidden_days),
    spec.timezone ?? "UTC",
  );
}
