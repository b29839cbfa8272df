// Proleptic Gregorian calendar arithmetic on whole day numbers (days since 1970-01-01), with no Date objects.

/** Milliseconds in one minute. */
export const MS_PER_MINUTE = 60_000;
/** Milliseconds in one (civil, leap-second-free) day. */
export const MS_PER_DAY = 86_400_000;
/** Minutes in one day. */
export const MINUTES_PER_DAY = 1440;

/** A calendar date: `month` is 1-12, `day` is 1-31. */
export interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

const DAYS_PER_400_YEARS = 146_097;
/** Day number of 0000-03-01 counted from 1970-01-01 (the calendar below starts its years in March). */
const EPOCH_SHIFT = 719_468;

/**
 * Day number (days since 1970-01-01, negative before) of a Gregorian date.
 * `day` may run past the month's end (e.g. 32) and simply counts on; `month` must be 1-12.
 * @example daysFromCivil(1970, 1, 2) // 1
 */
export function daysFromCivil(year: number, month: number, day: number): number {
  // Count years from March so the leap day falls at the end of the counted year.
  const marchYear = month <= 2 ? year - 1 : year;
  const era = Math.floor(marchYear / 400);
  const yearOfEra = marchYear - era * 400;
  const monthFromMarch = (month + 9) % 12;
  const dayOfYear = Math.floor((153 * monthFromMarch + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * DAYS_PER_400_YEARS + dayOfEra - EPOCH_SHIFT;
}

/**
 * Gregorian date of a day number (days since 1970-01-01); the inverse of {@link daysFromCivil}.
 * @example civilFromDays(0) // { year: 1970, month: 1, day: 1 }
 */
export function civilFromDays(days: number): CivilDate {
  const shifted = days + EPOCH_SHIFT;
  const era = Math.floor(shifted / DAYS_PER_400_YEARS);
  const dayOfEra = shifted - era * DAYS_PER_400_YEARS;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day };
}

/**
 * Day of the week of a day number, 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday).
 * @example dayOfWeekFromDays(0) // 4
 */
export function dayOfWeekFromDays(days: number): number {
  const remainder = (days + 4) % 7;
  return remainder < 0 ? remainder + 7 : remainder;
}

/** Two-digit zero-padded rendering of a small non-negative number, e.g. `7` → `"07"`. */
export function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}
