// IANA time zones for the hot path: UTC offsets cached per 15-minute bucket, local wall time by plain arithmetic.
import { MS_PER_DAY, MS_PER_MINUTE, civilFromDays, dayOfWeekFromDays, daysFromCivil } from "./civil.js";

/** The local wall time of an instant in some zone. */
export interface WallClock {
  /** Full year, e.g. 2026. */
  readonly year: number;
  /** Month, 1-12. */
  readonly month: number;
  /** Day of the month, 1-31. */
  readonly day: number;
  /** Day of the week, 0 = Sunday … 6 = Saturday. */
  readonly dayOfWeek: number;
  /** Whole minutes since local midnight, 0-1439. */
  readonly minuteOfDay: number;
}

/** A time zone that turns instants into local wall time and back. Get one with {@link getZone}. */
export interface Zone {
  /** Canonical zone name as resolved by Intl, e.g. `America/New_York` or `UTC`. */
  readonly name: string;
  /** Offset of local time from UTC at the instant, in milliseconds (local = epochMs + offset). */
  offsetAt(epochMs: number): number;
  /** Local year, month, day, weekday and minute of day at the instant. */
  wallClock(epochMs: number): WallClock;
  /**
   * The instant at which the local clock shows the given date and minute of day (`minuteOfDay` may be 1440 = next
   * midnight). In a spring-forward gap it returns the first instant after the gap; in a fall-back overlap, the first
   * occurrence.
   */
  toEpoch(year: number, month: number, day: number, minuteOfDay: number): number;
}

/**
 * Width of an offset-cache bucket. Almost every offset change happens on a 15-minute UTC boundary; a bucket holding
 * one that does not (Newfoundland changed at 00:01 local time until 2011, 03:31 or 02:31 UTC) keeps its exact instant.
 */
const BUCKET_MS = 15 * MS_PER_MINUTE;
/** Offsets change on whole seconds. */
const MS_PER_SECOND = 1000;

/** A bucket whose offset changes inside it: `before` until the instant `at`, `after` from it on. */
interface InnerChange {
  readonly at: number;
  readonly before: number;
  readonly after: number;
}

/** What the cache knows of one bucket: its one offset, or the change inside it. */
type BucketOffsets = number | InnerChange;

function offsetIn(entry: BucketOffsets, epochMs: number): number {
  if (typeof entry === "number") return entry;
  return epochMs < entry.at ? entry.before : entry.after;
}

/**
 * The first whole second after `low` (a whole second, showing `oldOffset`) that shows another offset, found by
 * halving; `high` if no earlier one does. `high` must show another offset.
 */
function firstSecondOfNewOffset(low: number, high: number, oldOffset: number, offsetOf: (epochMs: number) => number): number {
  while (high - low > MS_PER_SECOND) {
    const middle = low + Math.floor((high - low) / (2 * MS_PER_SECOND)) * MS_PER_SECOND;
    if (offsetOf(middle) === oldOffset) low = middle;
    else high = middle;
  }
  return high;
}

/** Cached buckets per zone before the cache is emptied (≈ 43 days of distinct buckets, far more than live traffic needs). */
const MAX_CACHED_BUCKETS = 4096;

/** One zone: offset lookup with a one-entry fast path, a bounded bucket map, and a last-day date cache. */
class CachedZone implements Zone {
  readonly name: string;
  private readonly isUtc: boolean;
  private readonly probe: Intl.DateTimeFormat | undefined;
  private readonly offsetsByBucket = new Map<number, BucketOffsets>();
  private lastBucket = Number.NaN;
  private lastEntry: BucketOffsets = 0;
  private lastDays = Number.NaN;
  private lastYear = 0;
  private lastMonth = 0;
  private lastDay = 0;

  constructor(name: string) {
    this.name = name;
    this.isUtc = name === "UTC";
    this.probe = this.isUtc
      ? undefined
      : new Intl.DateTimeFormat("en-US", {
          timeZone: name,
          hourCycle: "h23",
          era: "short",
          year: "numeric",
          month: "numeric",
          day: "numeric",
          hour: "numeric",
          minute: "numeric",
          second: "numeric",
        });
  }

  offsetAt(epochMs: number): number {
    if (this.isUtc) return 0;
    const bucket = Math.floor(epochMs / BUCKET_MS);
    if (bucket === this.lastBucket) return offsetIn(this.lastEntry, epochMs);
    return offsetIn(this.entryOf(bucket), epochMs);
  }

  /** The cached offsets of a bucket, probed on first use; remembered as the last bucket asked for. */
  private entryOf(bucket: number): BucketOffsets {
    let entry = this.offsetsByBucket.get(bucket);
    if (entry === undefined) {
      entry = this.probeBucket(bucket);
      if (this.offsetsByBucket.size >= MAX_CACHED_BUCKETS) this.offsetsByBucket.clear();
      this.offsetsByBucket.set(bucket, entry);
    }
    this.lastBucket = bucket;
    this.lastEntry = entry;
    return entry;
  }

  /**
   * The offset at a bucket's start, unless the offset the next bucket starts with differs and the change falls inside
   * this bucket: then the second it happens, found by halving (about ten probes, for a bucket or two a year).
   */
  private probeBucket(bucket: number): BucketOffsets {
    const start = bucket * BUCKET_MS;
    const before = this.probeOffset(start);
    const after = this.probeOffset(start + BUCKET_MS);
    if (before === after) return before;
    const at = firstSecondOfNewOffset(start, start + BUCKET_MS, before, (epochMs) => this.probeOffset(epochMs));
    return at === start + BUCKET_MS ? before : { at, before, after };
  }

  wallClock(epochMs: number): WallClock {
    const localMs = epochMs + this.offsetAt(epochMs);
    const days = Math.floor(localMs / MS_PER_DAY);
    if (days !== this.lastDays) {
      const date = civilFromDays(days);
      this.lastDays = days;
      this.lastYear = date.year;
      this.lastMonth = date.month;
      this.lastDay = date.day;
    }
    return {
      year: this.lastYear,
      month: this.lastMonth,
      day: this.lastDay,
      dayOfWeek: dayOfWeekFromDays(days),
      minuteOfDay: Math.floor((localMs - days * MS_PER_DAY) / MS_PER_MINUTE),
    };
  }

  toEpoch(year: number, month: number, day: number, minuteOfDay: number): number {
    const localMs = daysFromCivil(year, month, day) * MS_PER_DAY + minuteOfDay * MS_PER_MINUTE;
    if (this.isUtc) return localMs;
    const offsetBefore = this.offsetAt(localMs - MS_PER_DAY);
    const offsetAfter = this.offsetAt(localMs + MS_PER_DAY);
    const guessed = this.offsetAt(localMs - this.offsetAt(localMs));
    let earliest = Number.POSITIVE_INFINITY;
    for (const candidate of [offsetBefore, offsetAfter, guessed]) {
      const instant = localMs - candidate;
      if (instant < earliest && this.offsetAt(instant) === candidate) earliest = instant;
    }
    if (earliest !== Number.POSITIVE_INFINITY) return earliest;
    if (offsetAfter > offsetBefore) return this.firstInstantWithNewOffset(localMs - offsetAfter, localMs - offsetBefore);
    return localMs - guessed;
  }

  /** The transition instant that ends a gap lying between the two instants, to the second, from the cached offsets. */
  private firstInstantWithNewOffset(fromMs: number, toMs: number): number {
    const low = Math.floor(fromMs / MS_PER_SECOND) * MS_PER_SECOND;
    const high = Math.ceil(toMs / MS_PER_SECOND) * MS_PER_SECOND;
    return firstSecondOfNewOffset(low, high, this.offsetAt(low), (epochMs) => this.offsetAt(epochMs));
  }

  /** The slow, exact way: ask Intl for the local wall time at a bucket start and subtract. */
  private probeOffset(epochMs: number): number {
    let year = 0;
    let month = 1;
    let day = 1;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let beforeCommonEra = false;
    for (const part of (this.probe as Intl.DateTimeFormat).formatToParts(epochMs)) {
      switch (part.type) {
        case "year":
          year = Number(part.value);
          break;
        case "month":
          month = Number(part.value);
          break;
        case "day":
          day = Number(part.value);
          break;
        case "hour":
          hour = Number(part.value);
          break;
        case "minute":
          minute = Number(part.value);
          break;
        case "second":
          second = Number(part.value);
          break;
        case "era":
          beforeCommonEra = part.value.startsWith("B");
          break;
        default:
          break;
      }
    }
    if (beforeCommonEra) year = 1 - year;
    const localMs = daysFromCivil(year, month, day) * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000;
    return localMs - epochMs;
  }
}

const zonesByRequestedName = new Map<string, Zone>();
const zonesByCanonicalName = new Map<string, Zone>();

/**
 * The zone for an IANA name (any case, aliases such as `Etc/UTC` or `GMT` resolve to `UTC`), cached per name so its
 * offset cache is shared by every caller. Throws a RangeError for a name Intl does not know.
 * @example getZone("America/New_York").wallClock(Date.UTC(2026, 10, 24, 23, 5)).minuteOfDay // 1085 (18:05)
 */
export function getZone(timeZone: string): Zone {
  const cached = zonesByRequestedName.get(timeZone);
  if (cached !== undefined) return cached;
  const canonical = new Intl.DateTimeFormat("en-US", { timeZone }).resolvedOptions().timeZone;
  let zone = zonesByCanonicalName.get(canonical);
  if (zone === undefined) {
    zone = new CachedZone(canonical);
    zonesByCanonicalName.set(canonical, zone);
  }
  zonesByRequestedName.set(timeZone, zone);
  return zone;
}

/**
 * Whether Intl knows the IANA zone name (e.g. `Europe/London`, `UTC`); never throws.
 * @example isValidTimeZone("Mars/Olympus") // false
 */
export function isValidTimeZone(timeZone: string): boolean {
  if (zonesByRequestedName.has(timeZone)) return true;
  if (typeof timeZone !== "string" || timeZone === "") return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}
