// Property: the cached arithmetic wall clock agrees with Intl formatToParts for random instants 2000-2040.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { getZone } from "../../../src/engine/time/zone.js";

const ZONES = [
  "UTC",
  "America/New_York",
  "Europe/London",
  "Asia/Kolkata",
  "Australia/Adelaide",
  "Asia/Kathmandu",
  "Pacific/Chatham",
  "America/St_Johns",
  "Asia/Beirut",
] as const;
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const FROM = Date.UTC(2000, 0, 1);
const TO = Date.UTC(2040, 11, 31);

/** The reference answer, straight from Intl. */
function intlWallClock(timeZone: string, epochMs: number): Record<string, number> {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    weekday: "short",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
  }).formatToParts(epochMs);
  const value = (type: string): string => parts.find((part) => part.type === type)?.value ?? "";
  return {
    year: Number(value("year")),
    month: Number(value("month")),
    day: Number(value("day")),
    dayOfWeek: WEEKDAYS.indexOf(value("weekday")),
    minuteOfDay: Number(value("hour")) * 60 + Number(value("minute")),
  };
}

describe("wallClock matches Intl", () => {
  it("for random instants and zones", () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: FROM, max: TO }), (timeZone, epochMs) => {
        expect({ ...getZone(timeZone).wallClock(epochMs) }).toEqual(intlWallClock(timeZone, epochMs));
      }),
      { numRuns: 2000 },
    );
  });

  it("for instants a few minutes around each 15-minute bucket edge (where offsets change)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: FROM / 900_000, max: TO / 900_000 }),
        fc.integer({ min: -120_000, max: 120_000 }),
        (timeZone, bucket, nudgeMs) => {
          const epochMs = bucket * 900_000 + nudgeMs;
          expect({ ...getZone(timeZone).wallClock(epochMs) }).toEqual(intlWallClock(timeZone, epochMs));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("toEpoch inverts wallClock", () => {
  it("returns an instant showing the same local minute, no later than the original", () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: FROM, max: TO }), (timeZone, epochMs) => {
        const zone = getZone(timeZone);
        const local = zone.wallClock(epochMs);
        const instant = zone.toEpoch(local.year, local.month, local.day, local.minuteOfDay);
        expect(zone.wallClock(instant)).toEqual(local);
        expect(instant).toBeLessThanOrEqual(epochMs);
        expect(epochMs - instant).toBeLessThan(2 * 3_600_000 + 60_000);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("wallClock matches Intl exhaustively through 2026", () => {
  it.each(["America/New_York", "Australia/Adelaide", "Pacific/Chatham", "Asia/Beirut", "Europe/London"])(
    "%s, on both sides of every 15-minute boundary",
    (timeZone) => {
      const zone = getZone(timeZone);
      const formatter = new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
      });
      const mismatches: string[] = [];
      for (let boundary = Date.UTC(2026, 0, 1); boundary < Date.UTC(2027, 0, 1); boundary += 900_000) {
        for (const epochMs of [boundary - 1, boundary]) {
          const local = zone.wallClock(epochMs);
          const ours = `${local.month}/${local.day}/${local.year}, ${String(Math.floor(local.minuteOfDay / 60)).padStart(2, "0")}:${String(local.minuteOfDay % 60).padStart(2, "0")}`;
          const theirs = formatter.format(epochMs);
          if (ours !== theirs) mismatches.push(`${new Date(epochMs).toISOString()}: ${ours} vs ${theirs}`);
        }
      }
      expect(mismatches).toEqual([]);
    },
  );
});
