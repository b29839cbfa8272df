// Time windows at fixed instants: business hours across DST, midnight-crossing ranges, 24:00 ends, reasons, retry times.
import { describe, expect, it } from "vitest";
import { type TimeWindowSpec, compileTimeWindow, describeTimeWindow } from "../../../src/engine/time/window.js";

const at = (iso: string): number => Date.parse(iso);
const HOUR_S = 3600;
const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday"];

const businessHours: TimeWindowSpec = { allowed_hours: ["09:00-17:00"], allowed_days: WEEKDAYS, timezone: "America/New_York" };
const fridayAfternoon: TimeWindowSpec = { forbidden_days: ["friday"], forbidden_hours: ["16:00-24:00"], timezone: "America/New_York" };

/** Refusal details, or "ok". */
function outcome(spec: TimeWindowSpec, iso: string): "ok" | { reason: string; retryAfterSeconds: number } {
  const result = compileTimeWindow(spec).check(at(iso));
  return result.ok ? "ok" : { reason: result.reason, retryAfterSeconds: result.retryAfterSeconds };
}

describe("business hours 09:00-17:00 Monday-Friday in New York", () => {
  it("on an ordinary Tuesday (EST): 08:59 refused, 09:00 allowed, 16:59 allowed, 17:00 refused", () => {
    expect(outcome(businessHours, "2026-11-24T13:59:00Z")).toEqual({
      reason: "outside allowed hours 09:00-17:00 on monday-friday (America/New_York); it is 08:59 on tuesday there",
      retryAfterSeconds: 60,
    });
    expect(outcome(businessHours, "2026-11-24T14:00:00Z")).toBe("ok");
    expect(outcome(businessHours, "2026-11-24T21:59:59.999Z")).toBe("ok");
    expect(outcome(businessHours, "2026-11-24T22:00:00Z")).toEqual({
      reason: "outside allowed hours 09:00-17:00 on monday-friday (America/New_York); it is 17:00 on tuesday there",
      retryAfterSeconds: 16 * HOUR_S,
    });
  });

  it("words the refusal with the local time", () => {
    expect(outcome(businessHours, "2026-11-24T23:05:00Z")).toEqual({
      reason: "outside allowed hours 09:00-17:00 on monday-friday (America/New_York); it is 18:05 on tuesday there",
      retryAfterSeconds: 14 * HOUR_S + 55 * 60,
    });
  });

  it("refuses all of the spring-forward Sunday and reopens Monday 09:00 EDT (23 real hours after 10:00)", () => {
    expect(outcome(businessHours, "2026-03-08T14:00:00Z")).toEqual({
      reason: "outside allowed hours 09:00-17:00 on monday-friday (America/New_York); it is 10:00 on sunday there",
      retryAfterSeconds: 23 * HOUR_S,
    });
  });

  it("uses EDT edges on the Monday after spring-forward", () => {
    expect(outcome(businessHours, "2026-03-09T12:59:00Z")).toMatchObject({ retryAfterSeconds: 60 });
    expect(outcome(businessHours, "2026-03-09T13:00:00Z")).toBe("ok");
    expect(outcome(businessHours, "2026-03-09T20:59:00Z")).toBe("ok");
    expect(outcome(businessHours, "2026-03-09T21:00:00Z")).not.toBe("ok");
  });

  it("refuses the repeated hour of the fall-back Sunday and counts the extra hour in the wait", () => {
    expect(outcome(businessHours, "2026-11-01T06:30:00Z")).toEqual({
      reason: "outside allowed hours 09:00-17:00 on monday-friday (America/New_York); it is 01:30 on sunday there",
      retryAfterSeconds: 31 * HOUR_S + 30 * 60,
    });
  });

  it("uses EST edges on the Monday after fall-back", () => {
    expect(outcome(businessHours, "2026-11-02T13:59:00Z")).not.toBe("ok");
    expect(outcome(businessHours, "2026-11-02T14:00:00Z")).toBe("ok");
    expect(outcome(businessHours, "2026-11-02T21:59:00Z")).toBe("ok");
    expect(outcome(businessHours, "2026-11-02T22:00:00Z")).not.toBe("ok");
  });

  it("waits over the weekend from Friday 17:00 (64 hours) and across spring-forward from Saturday noon (44 hours)", () => {
    expect(outcome(businessHours, "2026-11-27T22:00:00Z")).toMatchObject({ retryAfterSeconds: 64 * HOUR_S });
    expect(outcome(businessHours, "2026-03-07T17:00:00Z")).toMatchObject({ retryAfterSeconds: 44 * HOUR_S });
  });

  it("rounds the wait up to the next minute boundary, never below one second", () => {
    expect(outcome(businessHours, "2026-11-24T13:59:30Z")).toMatchObject({ retryAfterSeconds: 30 });
    expect(outcome(businessHours, "2026-11-24T13:59:59.500Z")).toMatchObject({ retryAfterSeconds: 1 });
  });

  it("gives consistent answers on repeated calls from one compiled window (refusal cache)", () => {
    const window = compileTimeWindow(businessHours);
    expect(window.check(at("2026-11-24T13:58:10Z"))).toMatchObject({ ok: false, retryAfterSeconds: 110 });
    expect(window.check(at("2026-11-24T13:59:45Z"))).toMatchObject({
      ok: false,
      retryAfterSeconds: 15,
      reason: expect.stringContaining("it is 08:59 on tuesday"),
    });
    expect(window.check(at("2026-11-24T14:00:00Z"))).toEqual({ ok: true });
    expect(window.check(at("2026-11-24T13:00:00Z"))).toMatchObject({ ok: false, retryAfterSeconds: HOUR_S });
  });

  it("accepts abbreviated and mixed-case day names", () => {
    const abbreviated = { ...businessHours, allowed_days: ["MON", "Tue", "wed", "THURSDAY", "fri"] };
    expect(outcome(abbreviated, "2026-11-24T14:00:00Z")).toBe("ok");
    expect(outcome(abbreviated, "2026-11-28T14:00:00Z")).not.toBe("ok");
  });
});

describe("forbidden hours crossing midnight (22:00-06:00)", () => {
  const fridayNight: TimeWindowSpec = { forbidden_days: ["friday"], forbidden_hours: ["22:00-06:00"] };

  it("belong to the day they start on: Saturday 03:00 is forbidden, Friday 03:00 is not", () => {
    expect(outcome(fridayNight, "2026-11-27T03:00:00Z")).toBe("ok");
    expect(outcome(fridayNight, "2026-11-28T03:00:00Z")).toEqual({
      reason: "inside forbidden hours 22:00-06:00 on friday (UTC); it is 03:00 on saturday there",
      retryAfterSeconds: 3 * HOUR_S,
    });
  });

  it("start at Friday 22:00 and end at Saturday 06:00", () => {
    expect(outcome(fridayNight, "2026-11-27T21:59:00Z")).toBe("ok");
    expect(outcome(fridayNight, "2026-11-27T22:00:00Z")).toMatchObject({ retryAfterSeconds: 8 * HOUR_S });
    expect(outcome(fridayNight, "2026-11-28T05:59:00Z")).toMatchObject({ retryAfterSeconds: 60 });
    expect(outcome(fridayNight, "2026-11-28T06:00:00Z")).toBe("ok");
    expect(outcome(fridayNight, "2026-11-28T22:00:00Z")).toBe("ok");
    expect(outcome(fridayNight, "2026-11-26T23:00:00Z")).toBe("ok");
  });

  it("apply every night when no days are given", () => {
    const everyNight: TimeWindowSpec = { forbidden_hours: ["22:00-06:00"] };
    expect(outcome(everyNight, "2026-11-25T03:00:00Z")).toEqual({
      reason: "inside forbidden hours 22:00-06:00 (UTC); it is 03:00 on wednesday there",
      retryAfterSeconds: 3 * HOUR_S,
    });
    expect(outcome(everyNight, "2026-11-25T12:00:00Z")).toBe("ok");
    expect(outcome(everyNight, "2026-11-25T23:00:00Z")).not.toBe("ok");
  });

  it("follow the same rule for allowed ranges", () => {
    const fridayNightOnly: TimeWindowSpec = { allowed_days: ["fri"], allowed_hours: ["22:00-06:00"] };
    expect(outcome(fridayNightOnly, "2026-11-28T03:00:00Z")).toBe("ok");
    expect(outcome(fridayNightOnly, "2026-11-27T23:00:00Z")).toBe("ok");
    expect(outcome(fridayNightOnly, "2026-11-27T03:00:00Z")).not.toBe("ok");
    expect(outcome(fridayNightOnly, "2026-11-28T23:00:00Z")).not.toBe("ok");
    expect(outcome(fridayNightOnly, "2026-11-28T06:00:00Z")).toEqual({
      reason: "outside allowed hours 22:00-06:00 on friday (UTC); it is 06:00 on saturday there",
      retryAfterSeconds: 160 * HOUR_S,
    });
  });
});

describe("ranges ending at 24:00", () => {
  it("forbid Friday from 16:00 to midnight in New York", () => {
    expect(outcome(fridayAfternoon, "2026-11-27T20:59:00Z")).toBe("ok");
    expect(outcome(fridayAfternoon, "2026-11-27T21:00:00Z")).not.toBe("ok");
    expect(outcome(fridayAfternoon, "2026-11-27T21:30:00Z")).toEqual({
      reason: "inside forbidden hours 16:00-24:00 on friday (America/New_York); it is 16:30 on friday there",
      retryAfterSeconds: 7 * HOUR_S + 30 * 60,
    });
    expect(outcome(fridayAfternoon, "2026-11-28T04:59:00Z")).toMatchObject({ retryAfterSeconds: 60 });
    expect(outcome(fridayAfternoon, "2026-11-28T05:00:00Z")).toBe("ok");
  });

  it("allow until midnight and not after", () => {
    const evenings: TimeWindowSpec = { allowed_hours: ["18:00-24:00"] };
    expect(outcome(evenings, "2026-11-24T17:59:00Z")).not.toBe("ok");
    expect(outcome(evenings, "2026-11-24T18:00:00Z")).toBe("ok");
    expect(outcome(evenings, "2026-11-24T23:59:59Z")).toBe("ok");
    expect(outcome(evenings, "2026-11-25T00:00:00Z")).toMatchObject({ retryAfterSeconds: 18 * HOUR_S });
  });

  it("combine with business hours: the forbidden reason wins when the call is otherwise allowed", () => {
    const combined: TimeWindowSpec = { ...businessHours, ...fridayAfternoon };
    expect(outcome(combined, "2026-11-27T20:59:00Z")).toBe("ok");
    expect(outcome(combined, "2026-11-27T21:30:00Z")).toEqual({
      reason: "inside forbidden hours 16:00-24:00 on friday (America/New_York); it is 16:30 on friday there",
      retryAfterSeconds: 64 * HOUR_S + 30 * 60,
    });
    expect(outcome(combined, "2026-11-27T22:30:00Z")).toMatchObject({
      reason: expect.stringMatching(/^outside allowed hours/),
    });
  });
});

describe("day-only and degenerate windows", () => {
  it("forbidden days alone forbid the whole day", () => {
    const weekend: TimeWindowSpec = { forbidden_days: ["saturday", "sunday"] };
    expect(outcome(weekend, "2026-11-28T12:00:00Z")).toEqual({
      reason: "on forbidden days saturday, sunday (UTC); it is 12:00 on saturday there",
      retryAfterSeconds: 36 * HOUR_S,
    });
    expect(outcome(weekend, "2026-11-27T23:59:00Z")).toBe("ok");
  });

  it("allowed days alone allow the whole day", () => {
    const weekdays: TimeWindowSpec = { allowed_days: WEEKDAYS, timezone: "Asia/Kolkata" };
    expect(outcome(weekdays, "2026-11-27T18:29:00Z")).toBe("ok");
    expect(outcome(weekdays, "2026-11-27T18:30:00Z")).toEqual({
      reason: "outside allowed days monday-friday (Asia/Kolkata); it is 00:00 on saturday there",
      retryAfterSeconds: 48 * HOUR_S,
    });
  });

  it("an empty spec allows everything", () => {
    expect(outcome({}, "2026-11-28T12:00:00Z")).toBe("ok");
  });

  it("a window that never opens reports the 8-day search bound", () => {
    const never: TimeWindowSpec = { allowed_days: ["monday"], forbidden_days: ["monday"] };
    expect(outcome(never, "2026-11-30T12:00:00Z")).toMatchObject({ retryAfterSeconds: 8 * 24 * HOUR_S });
    expect(outcome(never, "2026-11-28T12:00:00Z")).toMatchObject({ retryAfterSeconds: 8 * 24 * HOUR_S });
  });

  it("throws on malformed hours, day names and zones", () => {
    expect(() => compileTimeWindow({ allowed_hours: ["9am-5pm"] })).toThrow(/invalid hour range/);
    expect(() => compileTimeWindow({ allowed_hours: ["25:00-26:00"] })).toThrow(/invalid hour range/);
    expect(() => compileTimeWindow({ allowed_hours: ["10:00-24:30"] })).toThrow(/invalid hour range/);
    expect(() => compileTimeWindow({ allowed_days: ["funday"] })).toThrow(/invalid day name/);
    expect(() => compileTimeWindow({ timezone: "Mars/Olympus" })).toThrow(RangeError);
  });
});

describe("describeTimeWindow", () => {
  it("describes each side in one line with the zone", () => {
    expect(describeTimeWindow(businessHours)).toBe("allowed hours 09:00-17:00 on monday-friday (America/New_York)");
    expect(describeTimeWindow({ ...businessHours, ...fridayAfternoon })).toBe(
      "allowed hours 09:00-17:00 on monday-friday; forbidden hours 16:00-24:00 on friday (America/New_York)",
    );
    expect(describeTimeWindow({ forbidden_days: ["Sun", "sat"] })).toBe("forbidden days saturday, sunday (UTC)");
    expect(describeTimeWindow({ allowed_hours: ["09:00-12:00", "13:00-17:00"] })).toBe("allowed hours 09:00-12:00, 13:00-17:00 (UTC)");
    expect(describeTimeWindow({})).toBe("any time (UTC)");
  });

  it("keeps runs of days that wrap over the weekend together", () => {
    expect(describeTimeWindow({ allowed_days: ["fri", "sat", "sun", "mon"] })).toBe("allowed days friday-monday (UTC)");
    expect(describeTimeWindow({ allowed_days: ["mon", "wed", "fri"] })).toBe("allowed days monday, wednesday, friday (UTC)");
    expect(describeTimeWindow({ allowed_days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] })).toBe(
      "allowed days monday-sunday (UTC)",
    );
  });

  it("matches the compiled window's description", () => {
    expect(compileTimeWindow(businessHours).description).toBe(describeTimeWindow(businessHours));
  });
});
