// Local calendar days and months: ids, DST-correct boundaries, rollovers and the caching tracker.
import { describe, expect, it } from "vitest";
import { calendarPeriod, periodTracker } from "../../../src/engine/time/period.js";
import { getZone } from "../../../src/engine/time/zone.js";

const at = (iso: string): number => Date.parse(iso);
const HOUR = 3_600_000;
const ny = getZone("America/New_York");
const utc = getZone("UTC");

describe("calendarPeriod month", () => {
  it("gives November 2026 in New York as EDT midnight to EST midnight", () => {
    expect(calendarPeriod(ny, "month", at("2026-11-15T12:00:00Z"))).toEqual({
      id: "2026-11",
      startsAt: at("2026-11-01T04:00:00Z"),
      endsAt: at("2026-12-01T05:00:00Z"),
    });
  });

  it("gives March 2026 in New York as EST midnight to EDT midnight", () => {
    expect(calendarPeriod(ny, "month", at("2026-03-20T12:00:00Z"))).toEqual({
      id: "2026-03",
      startsAt: at("2026-03-01T05:00:00Z"),
      endsAt: at("2026-04-01T04:00:00Z"),
    });
  });

  it("rolls over at local midnight: Nov 30 23:59:59 is November, one second later is December", () => {
    const lastSecond = at("2026-12-01T04:59:59Z");
    expect(calendarPeriod(ny, "month", lastSecond).id).toBe("2026-11");
    const december = calendarPeriod(ny, "month", lastSecond + 1000);
    expect(december).toEqual({ id: "2026-12", startsAt: at("2026-12-01T05:00:00Z"), endsAt: at("2027-01-01T05:00:00Z") });
  });

  it("rolls over the year", () => {
    expect(calendarPeriod(utc, "month", at("2026-12-31T23:59:59.999Z"))).toEqual({
      id: "2026-12",
      startsAt: at("2026-12-01T00:00:00Z"),
      endsAt: at("2027-01-01T00:00:00Z"),
    });
    expect(calendarPeriod(utc, "month", at("2027-01-01T00:00:00Z"))).toEqual({
      id: "2027-01",
      startsAt: at("2027-01-01T00:00:00Z"),
      endsAt: at("2027-02-01T00:00:00Z"),
    });
    expect(calendarPeriod(ny, "month", at("2027-01-01T04:59:59Z")).id).toBe("2026-12");
    expect(calendarPeriod(ny, "month", at("2027-01-01T05:00:00Z")).id).toBe("2027-01");
  });

  it("handles February in a leap year", () => {
    expect(calendarPeriod(utc, "month", at("2028-02-29T12:00:00Z"))).toEqual({
      id: "2028-02",
      startsAt: at("2028-02-01T00:00:00Z"),
      endsAt: at("2028-03-01T00:00:00Z"),
    });
  });
});

describe("calendarPeriod day", () => {
  it("names the local day, which may differ from the UTC day", () => {
    expect(calendarPeriod(ny, "day", at("2026-11-25T03:30:00Z"))).toEqual({
      id: "2026-11-24",
      startsAt: at("2026-11-24T05:00:00Z"),
      endsAt: at("2026-11-25T05:00:00Z"),
    });
  });

  it("makes the spring-forward day 23 hours long", () => {
    const day = calendarPeriod(ny, "day", at("2026-03-08T12:00:00Z"));
    expect(day).toEqual({ id: "2026-03-08", startsAt: at("2026-03-08T05:00:00Z"), endsAt: at("2026-03-09T04:00:00Z") });
    expect(day.endsAt - day.startsAt).toBe(23 * HOUR);
  });

  it("makes the fall-back day 25 hours long", () => {
    const day = calendarPeriod(ny, "day", at("2026-11-01T12:00:00Z"));
    expect(day).toEqual({ id: "2026-11-01", startsAt: at("2026-11-01T04:00:00Z"), endsAt: at("2026-11-02T05:00:00Z") });
    expect(day.endsAt - day.startsAt).toBe(25 * HOUR);
  });

  it("does the same in London", () => {
    const london = getZone("Europe/London");
    const spring = calendarPeriod(london, "day", at("2026-03-29T12:00:00Z"));
    expect(spring.endsAt - spring.startsAt).toBe(23 * HOUR);
    const autumn = calendarPeriod(london, "day", at("2026-10-25T12:00:00Z"));
    expect(autumn.endsAt - autumn.startsAt).toBe(25 * HOUR);
  });

  it("starts a day whose midnight is skipped at the end of the gap (Beirut 2026-03-29, 00:00 -> 01:00)", () => {
    const day = calendarPeriod(getZone("Asia/Beirut"), "day", at("2026-03-29T09:00:00Z"));
    expect(day).toEqual({ id: "2026-03-29", startsAt: at("2026-03-28T22:00:00Z"), endsAt: at("2026-03-29T21:00:00Z") });
  });

  it("starts a day whose first hour repeats at its first midnight (Havana 2026-11-01, 01:00 -> 00:00)", () => {
    const havana = getZone("America/Havana");
    const day = calendarPeriod(havana, "day", at("2026-11-01T05:30:00Z"));
    expect(day).toEqual({ id: "2026-11-01", startsAt: at("2026-11-01T04:00:00Z"), endsAt: at("2026-11-02T05:00:00Z") });
    expect(calendarPeriod(havana, "day", at("2026-11-01T03:59:59Z")).endsAt).toBe(day.startsAt);
  });

  it("rolls over months and years", () => {
    expect(calendarPeriod(utc, "day", at("2026-12-31T18:00:00Z"))).toEqual({
      id: "2026-12-31",
      startsAt: at("2026-12-31T00:00:00Z"),
      endsAt: at("2027-01-01T00:00:00Z"),
    });
    expect(calendarPeriod(ny, "day", at("2026-12-01T04:59:59Z")).id).toBe("2026-11-30");
  });
});

describe("periodTracker", () => {
  it("returns the cached period until the instant leaves it, then the next one", () => {
    const currentDay = periodTracker(ny, "day");
    const first = currentDay(at("2026-03-08T05:00:00Z"));
    expect(first.id).toBe("2026-03-08");
    expect(currentDay(at("2026-03-09T03:59:59.999Z"))).toBe(first);
    const next = currentDay(at("2026-03-09T04:00:00Z"));
    expect(next.id).toBe("2026-03-09");
    expect(next.startsAt).toBe(first.endsAt);
  });

  it("recomputes when the clock goes backwards out of the period", () => {
    const currentMonth = periodTracker(utc, "month");
    expect(currentMonth(at("2026-11-15T00:00:00Z")).id).toBe("2026-11");
    expect(currentMonth(at("2026-10-31T23:59:59Z")).id).toBe("2026-10");
  });

  it("produces back-to-back periods with no gaps across a year of New York days", () => {
    const currentDay = periodTracker(ny, "day");
    let period = currentDay(at("2026-01-01T05:00:00Z"));
    for (let index = 0; index < 365; index++) {
      const next = currentDay(period.endsAt);
      expect(next.startsAt).toBe(period.endsAt);
      expect([23, 24, 25]).toContain((next.endsAt - next.startsAt) / HOUR);
      period = next;
    }
    expect(period.id).toBe("2027-01-01");
  });
});
