// Parsing and wording of time-window pieces: "HH:MM-HH:MM" hour ranges and English day names.
import { MINUTES_PER_DAY, pad2 } from "./civil.js";

/** One hour range in minutes of the local day; `end` may be 1440 (24:00). `end <= start` means it crosses midnight. */
export interface HourRange {
  readonly start: number;
  readonly end: number;
  /** Normalised text, e.g. `22:00-06:00`. */
  readonly label: string;
}

const HOUR_RANGE_PATTERN = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/;

/** Day names indexed by day of week, 0 = Sunday. */
export const DAY_NAMES = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"] as const;

/**
 * Parses `"HH:MM-HH:MM"` (24-hour clock; the end may be `24:00`). Throws an Error on anything else.
 * @example parseHourRange("22:00-06:00") // { start: 1320, end: 360, label: "22:00-06:00" }
 */
export function parseHourRange(text: string): HourRange {
  const match = HOUR_RANGE_PATTERN.exec(text.trim());
  if (match === null) throw new Error(`invalid hour range "${text}": expected HH:MM-HH:MM, e.g. 09:00-17:00`);
  const [startHour, startMinute, endHour, endMinute] = match.slice(1).map(Number) as [number, number, number, number];
  const start = startHour * 60 + startMinute;
  const end = endHour * 60 + endMinute;
  if (startHour > 23 || startMinute > 59 || endMinute > 59 || end > MINUTES_PER_DAY) {
    throw new Error(`invalid hour range "${text}": times must lie between 00:00 and 24:00 (24:00 only as an end)`);
  }
  return { start, end, label: `${formatMinuteOfDay(start)}-${formatMinuteOfDay(end)}` };
}

/**
 * Day of week (0 = Sunday) of an English day name or its 3-letter abbreviation, any case. Throws an Error otherwise.
 * @example parseDayName("Fri") // 5
 */
export function parseDayName(text: string): number {
  const wanted = text.trim().toLowerCase();
  const index = DAY_NAMES.findIndex((name) => name === wanted || (wanted.length === 3 && name.startsWith(wanted)));
  if (index < 0) throw new Error(`invalid day name "${text}": expected e.g. monday or mon`);
  return index;
}

/**
 * `HH:MM` rendering of a minute of the day (1440 renders as `24:00`).
 * @example formatMinuteOfDay(1085) // "18:05"
 */
export function formatMinuteOfDay(minuteOfDay: number): string {
  return `${pad2(Math.floor(minuteOfDay / 60))}:${pad2(minuteOfDay % 60)}`;
}

/**
 * Compact wording of a set of weekdays, week starting Monday, runs of three or more joined with a dash and a run
 * wrapping from Sunday into Monday kept together: `monday-friday`, `saturday, sunday`, `friday-monday`.
 * @example describeDays(new Set([1, 2, 3, 4, 5])) // "monday-friday"
 */
export function describeDays(days: ReadonlySet<number>): string {
  const mondayFirst = [1, 2, 3, 4, 5, 6, 0];
  // A run through Sunday into Monday is listed from its start, so the week is rotated to begin after the last gap.
  const wraps = days.has(0) && days.has(1) && days.size < 7;
  const rotation = wraps ? mondayFirst.findLastIndex((day) => !days.has(day)) + 1 : 0;
  const ordered = [...mondayFirst.slice(rotation), ...mondayFirst.slice(0, rotation)];
  const runs: number[][] = [];
  let run: number[] = [];
  for (const day of ordered) {
    if (days.has(day)) {
      run.push(day);
    } else if (run.length > 0) {
      runs.push(run);
      run = [];
    }
  }
  if (run.length > 0) runs.push(run);
  return runs.map(describeRun).join(", ");
}

/** One run of consecutive days: a dash range when three or longer, else the names listed. */
function describeRun(run: readonly number[]): string {
  const names = run.map((day) => DAY_NAMES[day] ?? "?");
  if (names.length < 3) return names.join(", ");
  return `${names[0]}-${names[names.length - 1]}`;
}
