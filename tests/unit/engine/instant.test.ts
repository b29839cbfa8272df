// Invalid instants from a call's `now` or the guardian's clock: refused at the call, naming where they came from.
import { describe, expect, it } from "vitest";
import { PolicyConfigError } from "../../../src/index.js";
import { guardianFor } from "./guardian-for.js";

const BUDGET = `
policies:
  - id: spend
    rules:
      - monthly_budget: 10
        timezone: America/New_York
`;

const WINDOW = `
policies:
  - id: hours
    rules:
      - allowed_hours: ["09:00-17:00"]
`;

describe("invalid instants", () => {
  it.each([
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["past the accepted range", 8.6e15 + 1],
    ["before the accepted range", -8.6e15 - 1],
  ])("does not let a context now of %s crash inside the budget period lookup", async (_name, now) => {
    const guardian = guardianFor(BUDGET);
    await expect(guardian.check("spend", { now })).rejects.toThrow(
      new RangeError(
        `context.now is ${now}: give the call's instant as epoch milliseconds within ±8.6e15 (as Date.now() does), or leave it out for the guardian's clock`,
      ),
    );
  });

  it("refuses a context now that is not a number with a TypeError naming it", async () => {
    const guardian = guardianFor(BUDGET);
    const now = "2026-11-24T12:00:00Z" as unknown as number;
    await expect(guardian.check("spend", { now })).rejects.toThrow(TypeError);
    await expect(guardian.check("spend", { now })).rejects.toThrow(
      /context\.now must be a number of epoch milliseconds, got the string "2026-11-24T12:00:00Z"/,
    );
  });

  it("refuses an invalid context now even when no rule reads the instant", async () => {
    const guardian = guardianFor(`policies:\n  - id: open\n    rules:\n      - requests_per_minute: 5\n`);
    await expect(guardian.check("open", { now: Number.NaN })).rejects.toThrow(RangeError);
  });

  it.each([
    ["NaN", Number.NaN, RangeError, /clock \(createGuardian's clock option\) returned NaN/],
    ["a Date past the range", new Date(8.64e15 + 1).getTime(), RangeError, /returned NaN/],
    ["Infinity", Number.POSITIVE_INFINITY, RangeError, /returned Infinity/],
    [
      "a Date object",
      new Date(0) as unknown as number,
      TypeError,
      /clock \(createGuardian's clock option\) must return a number of epoch milliseconds, got an object/,
    ],
  ])("does not let a clock returning %s crash inside the period lookup", async (_name, value, kind, message) => {
    for (const policy of [BUDGET, WINDOW]) {
      const guardian = guardianFor(policy, { clock: () => value });
      const id = policy === BUDGET ? "spend" : "hours";
      await expect(guardian.check(id, {})).rejects.toThrow(kind);
      await expect(guardian.check(id, {})).rejects.toThrow(message);
    }
  });

  it("decides budgets and time windows at the edges of the accepted range", async () => {
    const daily = BUDGET.replace("monthly_budget", "daily_budget");
    for (const now of [8.6e15, -8.6e15]) {
      for (const [policy, id] of [
        [BUDGET, "spend"],
        [daily, "spend"],
        [WINDOW, "hours"],
      ] as const) {
        const decision = await guardianFor(policy).check(id, { now });
        expect(["allow", "deny"]).toContain(decision.outcome);
      }
    }
  });

  it("refuses a clock option that is not a function when the guardian is created", () => {
    expect(() => guardianFor(BUDGET, { clock: 5 as unknown as () => number })).toThrow(PolicyConfigError);
    expect(() => guardianFor(BUDGET, { clock: 5 as unknown as () => number })).toThrow(/clock/);
  });
});
