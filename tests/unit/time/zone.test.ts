// Offsets, wall clock and local-to-instant conversion around real DST changes, at fixed instants.
import { describe, expect, it } from "vitest";
import { getZone, isValidTimeZone } from "../../../src/engine/time/zone.js";

const at = (iso: string): number => Date.parse(iso);
const HOUR = 3_600_000;
const MINUTE = 60_000;

describe("isValidTimeZone", () => {
  it("accepts IANA names and UTC aliases in any case", () => {
    for (const name of ["UTC", "Etc/UTC", "GMT", "America/New_York", "america/new_york", "Asia/Kolkata"]) {
      expect(isValidTimeZone(name)).toBe(true);
    }
  });

  it("rejects unknown or empty names without throwing", () => {
    for (const name of ["Mars/Olympus", "", "EST5EDT/x", "+25:00"]) expect(isValidTimeZone(name)).toBe(false);
  });
});

describe("getZone", () => {
  it("caches one zone per name and shares it between spellings", () => {
    expect(getZone("America/New_York")).toBe(getZone("America/New_York"));
    expect(getZone("america/new_york")).toBe(getZone("America/New_York"));
    expect(getZone("Etc/UTC").name).toBe("UTC");
  });

  it("throws a RangeError for an unknown zone", () => {
    expect(() => getZone("Mars/Olympus")).toThrow(RangeError);
  });

  it("treats UTC as offset zero at any instant", () => {
    const utc = getZone("UTC");
    expect(utc.offsetAt(at("2026-03-08T07:00:00Z"))).toBe(0);
    expect(utc.wallClock(at("2026-11-24T23:05:42Z"))).toEqual({
      year: 2026,
      month: 11,
      day: 24,
      dayOfWeek: 2,
      minuteOfDay: 23 * 60 + 5,
    });
    expect(utc.toEpoch(2026, 11, 24, 23 * 60 + 5)).toBe(at("2026-11-24T23:05:00Z"));
  });
});

describe("America/New_York", () => {
  const ny = getZone("America/New_York");

  it("springs forward 2026-03-08 at 02:00 EST (07:00Z) to 03:00 EDT", () => {
    expect(ny.offsetAt(at("2026-03-08T06:59:59.999Z"))).toBe(-5 * HOUR);
    expect(ny.offsetAt(at("2026-03-08T07:00:00Z"))).toBe(-4 * HOUR);
    expect(ny.wallClock(at("2026-03-08T06:59:00Z"))).toEqual({
      year: 2026,
      month: 3,
      day: 8,
      dayOfWeek: 0,
      minuteOfDay: 1 * 60 + 59,
    });
    expect(ny.wallClock(at("2026-03-08T07:00:00Z"))).toEqual({
      year: 2026,
      month: 3,
      day: 8,
      dayOfWeek: 0,
      minuteOfDay: 3 * 60,
    });
  });

  it("falls back 2026-11-01 at 02:00 EDT (06:00Z) to 01:00 EST", () => {
    expect(ny.offsetAt(at("2026-11-01T05:59:59.999Z"))).toBe(-4 * HOUR);
    expect(ny.offsetAt(at("2026-11-01T06:00:00Z"))).toBe(-5 * HOUR);
    expect(ny.wallClock(at("2026-11-01T05:59:00Z")).minuteOfDay).toBe(1 * 60 + 59);
    expect(ny.wallClock(at("2026-11-01T06:00:00Z")).minuteOfDay).toBe(1 * 60);
  });

  it("reports the local date, not the UTC date, in the evening", () => {
    expect(ny.wallClock(at("2026-11-25T03:30:00Z"))).toEqual({
      year: 2026,
      month: 11,
      day: 24,
      dayOfWeek: 2,
      minuteOfDay: 22 * 60 + 30,
    });
  });

  it("maps a time in the spring-forward gap to the first instant after it", () => {
    expect(ny.toEpoch(2026, 3, 8, 2 * 60)).toBe(at("2026-03-08T07:00:00Z"));
    expect(ny.toEpoch(2026, 3, 8, 2 * 60 + 30)).toBe(at("2026-03-08T07:00:00Z"));
    expect(ny.toEpoch(2026, 3, 8, 2 * 60 + 59)).toBe(at("2026-03-08T07:00:00Z"));
  });

  it("maps times at the edges of the gap normally", () => {
    expect(ny.toEpoch(2026, 3, 8, 1 * 60 + 59)).toBe(at("2026-03-08T06:59:00Z"));
    expect(ny.toEpoch(2026, 3, 8, 3 * 60)).toBe(at("2026-03-08T07:00:00Z"));
    expect(ny.toEpoch(2026, 3, 8, 0)).toBe(at("2026-03-08T05:00:00Z"));
  });

  it("maps an ambiguous fall-back time to its first (EDT) occurrence", () => {
    expect(ny.toEpoch(2026, 11, 1, 1 * 60)).toBe(at("2026-11-01T05:00:00Z"));
    expect(ny.toEpoch(2026, 11, 1, 1 * 60 + 30)).toBe(at("2026-11-01T05:30:00Z"));
    expect(ny.toEpoch(2026, 11, 1, 0 * 60 + 59)).toBe(at("2026-11-01T04:59:00Z"));
    expect(ny.toEpoch(2026, 11, 1, 2 * 60)).toBe(at("2026-11-01T07:00:00Z"));
  });

  it("accepts minute 1440 as the next midnight", () => {
    expect(ny.toEpoch(2026, 3, 7, 1440)).toBe(at("2026-03-08T05:00:00Z"));
  });
});

describe("Europe/London", () => {
  const london = getZone("Europe/London");

  it("moves to BST on 2026-03-29 at 01:00Z and back on 2026-10-25 at 01:00Z", () => {
    expect(london.offsetAt(at("2026-03-29T00:59:00Z"))).toBe(0);
    expect(london.offsetAt(at("2026-03-29T01:00:00Z"))).toBe(HOUR);
    expect(london.wallClock(at("2026-03-29T01:00:00Z")).minuteOfDay).toBe(2 * 60);
    expect(london.offsetAt(at("2026-10-25T00:59:00Z"))).toBe(HOUR);
    expect(london.offsetAt(at("2026-10-25T01:00:00Z"))).toBe(0);
    expect(london.wallClock(at("2026-10-25T01:00:00Z")).minuteOfDay).toBe(1 * 60);
  });

  it("resolves the gap and the overlap", () => {
    expect(london.toEpoch(2026, 3, 29, 1 * 60 + 30)).toBe(at("2026-03-29T01:00:00Z"));
    expect(london.toEpoch(2026, 10, 25, 1 * 60 + 30)).toBe(at("2026-10-25T00:30:00Z"));
  });
});

describe("half-hour zones", () => {
  it("Asia/Kolkata is UTC+05:30 all year", () => {
    const kolkata = getZone("Asia/Kolkata");
    expect(kolkata.offsetAt(at("2026-01-15T12:00:00Z"))).toBe(5.5 * HOUR);
    expect(kolkata.offsetAt(at("2026-07-15T12:00:00Z"))).toBe(5.5 * HOUR);
    expect(kolkata.wallClock(at("2026-11-24T18:29:00Z"))).toEqual({
      year: 2026,
      month: 11,
      day: 24,
      dayOfWeek: 2,
      minuteOfDay: 23 * 60 + 59,
    });
    expect(kolkata.wallClock(at("2026-11-24T18:30:00Z"))).toEqual({
      year: 2026,
      month: 11,
      day: 25,
      dayOfWeek: 3,
      minuteOfDay: 0,
    });
    expect(kolkata.toEpoch(2026, 11, 25, 0)).toBe(at("2026-11-24T18:30:00Z"));
  });

  it("Australia/Adelaide changes between +10:30 and +09:30 on half-hour UTC instants", () => {
    const adelaide = getZone("Australia/Adelaide");
    expect(adelaide.offsetAt(at("2026-04-04T16:29:00Z"))).toBe(10.5 * HOUR);
    expect(adelaide.offsetAt(at("2026-04-04T16:30:00Z"))).toBe(9.5 * HOUR);
    expect(adelaide.wallClock(at("2026-04-04T16:30:00Z")).minuteOfDay).toBe(2 * 60);
    expect(adelaide.offsetAt(at("2026-10-03T16:29:00Z"))).toBe(9.5 * HOUR);
    expect(adelaide.offsetAt(at("2026-10-03T16:30:00Z"))).toBe(10.5 * HOUR);
    expect(adelaide.toEpoch(2026, 10, 4, 2 * 60 + 15)).toBe(at("2026-10-03T16:30:00Z"));
    expect(adelaide.toEpoch(2026, 4, 5, 2 * 60 + 15)).toBe(at("2026-04-04T15:45:00Z"));
  });
});

describe("America/St_Johns, changing at 00:01 local time (until 2011), off every 15-minute UTC boundary", () => {
  const stJohns = getZone("America/St_Johns");

  it("springs forward 2006-04-02 at 00:01 NST (03:31Z) to 01:01 NDT", () => {
    expect(stJohns.offsetAt(at("2006-04-02T03:30:59Z"))).toBe(-3.5 * HOUR);
    expect(stJohns.offsetAt(at("2006-04-02T03:31:00Z"))).toBe(-2.5 * HOUR);
    expect(stJohns.wallClock(at("2006-04-02T03:30:59Z")).minuteOfDay).toBe(0);
    expect(stJohns.wallClock(at("2006-04-02T03:31:00Z")).minuteOfDay).toBe(61);
  });

  it("falls back 2006-10-29 at 00:01 NDT (02:31Z) to 23:01 NST the day before", () => {
    expect(stJohns.wallClock(at("2006-10-29T02:30:59Z"))).toMatchObject({ month: 10, day: 29, minuteOfDay: 0 });
    expect(stJohns.wallClock(at("2006-10-29T02:31:00Z"))).toMatchObject({ month: 10, day: 28, minuteOfDay: 23 * 60 + 1 });
  });

  it("maps a time in the gap to the change's own instant, and an ambiguous one to its first occurrence", () => {
    expect(stJohns.toEpoch(2006, 4, 2, 30)).toBe(at("2006-04-02T03:31:00Z"));
    expect(stJohns.toEpoch(2006, 4, 2, 0)).toBe(at("2006-04-02T03:30:00Z"));
    expect(stJohns.toEpoch(2006, 10, 28, 23 * 60 + 30)).toBe(at("2006-10-29T02:00:00Z"));
  });

  it("agrees with Intl on every minute of both change days", () => {
    const formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: "America/St_Johns",
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
    });
    const mismatches: string[] = [];
    for (const day of [at("2006-04-01T12:00:00Z"), at("2006-10-28T12:00:00Z")]) {
      for (let epochMs = day; epochMs < day + 24 * HOUR; epochMs += MINUTE) {
        const local = stJohns.wallClock(epochMs);
        const ours = `${local.month}/${local.day}/${local.year}, ${String(Math.floor(local.minuteOfDay / 60)).padStart(2, "0")}:${String(local.minuteOfDay % 60).padStart(2, "0")}`;
        if (ours !== formatter.format(epochMs))
          mismatches.push(`${new Date(epochMs).toISOString()}: ${ours} vs ${formatter.format(epochMs)}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});

describe("wall clock details", () => {
  it("counts weekdays from Sunday = 0 and handles instants before 1970", () => {
    const utc = getZone("UTC");
    expect(utc.wallClock(at("1969-12-31T23:59:00Z"))).toEqual({
      year: 1969,
      month: 12,
      day: 31,
      dayOfWeek: 3,
      minuteOfDay: 1439,
    });
    expect(utc.wallClock(at("2000-02-29T00:00:00Z"))).toEqual({
      year: 2000,
      month: 2,
      day: 29,
      dayOfWeek: 2,
      minuteOfDay: 0,
    });
  });

  it("returns the same answer on repeated and interleaved calls (caches stay coherent)", () => {
    const ny = getZone("America/New_York");
    const instants = [at("2026-03-08T06:59:00Z"), at("2026-11-01T06:00:00Z"), at("2026-03-08T07:00:00Z")];
    const first = instants.map((t) => ny.wallClock(t));
    const again = instants.map((t) => ny.wallClock(t));
    expect(again).toEqual(first);
    expect(ny.wallClock(at("2026-03-08T07:00:00Z") + 59 * MINUTE).minuteOfDay).toBe(3 * 60 + 59);
  });
});
