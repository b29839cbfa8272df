// Properties: window verdicts agree with a naive Intl-based reading, and retryAfterSeconds lands on an allowed instant.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type TimeWindowSpec, compileTimeWindow } from "../../../src/engine/time/window.js";

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const FROM = Date.UTC(2024, 0, 1);
const TO = Date.UTC(2030, 0, 1);

/** Local weekday (0 = Sunday) and minute of day straight from Intl. */
function intlLocal(timeZone: string, epochMs: number): { dayOfWeek: number; minuteOfDay: number } {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    weekday: "short",
    hour: "numeric",
    minute: "numeric",
  }).formatToParts(epochMs);
  const value = (type: string): string => parts.find((part) => part.type === type)?.value ?? "";
  return { dayOfWeek: WEEKDAYS.indexOf(value("weekday")), minuteOfDay: Number(value("hour")) * 60 + Number(value("minute")) };
}

describe("time window properties", () => {
  const businessHours: TimeWindowSpec = {
    allowed_hours: ["09:00-17:00"],
    allowed_days: ["mon", "tue", "wed", "thu", "fri"],
    timezone: "America/New_York",
  };
  const nights: TimeWindowSpec = { forbidden_days: ["friday"], forbidden_hours: ["22:00-06:00"], timezone: "Australia/Adelaide" };

  it("business hours agree with a direct reading of the Intl wall clock", () => {
    const window = compileTimeWindow(businessHours);
    fc.assert(
      fc.property(fc.integer({ min: FROM, max: TO }), (epochMs) => {
        const { dayOfWeek, minuteOfDay } = intlLocal("America/New_York", epochMs);
        const expected = dayOfWeek >= 1 && dayOfWeek <= 5 && minuteOfDay >= 540 && minuteOfDay < 1020;
        expect(window.check(epochMs).ok).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it("Friday-night forbidden hours agree with a direct reading, including the Saturday-morning tail", () => {
    const window = compileTimeWindow(nights);
    fc.assert(
      fc.property(fc.integer({ min: FROM, max: TO }), (epochMs) => {
        const { dayOfWeek, minuteOfDay } = intlLocal("Australia/Adelaide", epochMs);
        const forbidden = (dayOfWeek === 5 && minuteOfDay >= 1320) || (dayOfWeek === 6 && minuteOfDay < 360);
        expect(window.check(epochMs).ok).toBe(!forbidden);
      }),
      { numRuns: 1000 },
    );
  });

  it.each([businessHours, nights])("after a refusal, waiting retryAfterSeconds reaches an allowed instant (%#)", (spec) => {
    const window = compileTimeWindow(spec);
    fc.assert(
      fc.property(fc.integer({ min: FROM, max: TO }), (epochMs) => {
        const result = window.check(epochMs);
        if (result.ok) return;
        expect(result.retryAfterSeconds).toBeGreaterThanOrEqual(1);
        expect(window.check(epochMs + result.retryAfterSeconds * 1000).ok).toBe(true);
        if (result.retryAfterSeconds > 60) expect(window.check(epochMs + (result.retryAfterSeconds - 60) * 1000).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
