// Budgets: calendar periods in a zone, fixed and estimated costs, reserve-then-settle, warnings and exhaustion.
import { describe, expect, it } from "vitest";
import { guardianFor, testClock } from "./guardian-for.js";

function budgetPolicy(rule: string): string {
  return `
policies:
  - id: spend
    rules:
      - resource: openai
${rule
  .trim()
  .split("\n")
  .map((line) => `        ${line.trim()}`)
  .join("\n")}
`;
}

describe("monthly budgets", () => {
  it("charges 1 per call by default and limits the call that would go past the budget, until the next month", async () => {
    const clock = testClock("2026-11-24T12:00:00Z");
    const guardian = guardianFor(budgetPolicy("monthly_budget: 3"), { clock: clock.read });
    for (let i = 0; i < 3; i++) expect((await guardian.check("spend", { resource: "openai" })).outcome).toBe("allow");
    const refused = await guardian.check("spend", { resource: "openai" });
    expect(refused.outcome).toBe("limit");
    expect(refused.kind).toBe("budget");
    expect(refused.retryAfter).toBe((Date.parse("2026-12-01T00:00:00Z") - clock.now) / 1000);
    expect(refused.reason).toBe(
      "Policy 'spend' limit reached: monthly budget of 3 would be exceeded (3 spent, this call costs 1); it resets at 2026-12-01T00:00:00.000Z",
    );
    expect(refused.counters).toEqual([
      expect.objectContaining({
        kind: "budget",
        window: "month",
        windowSeconds: 30 * 86_400,
        limit: 3,
        used: 3,
        remaining: 0,
        partition: "*",
      }),
    ]);
  });

  it("rolls over at local midnight of the first day of the month in the policy's zone", async () => {
    const clock = testClock("2026-12-01T04:59:30Z"); // 23:59:30 on 30 November in New York
    const guardian = guardianFor(budgetPolicy("monthly_budget: 2\ntimezone: America/New_York"), { clock: clock.read });
    await guardian.check("spend", { resource: "openai" });
    await guardian.check("spend", { resource: "openai" });
    const refused = await guardian.check("spend", { resource: "openai" });
    expect(refused.outcome).toBe("limit");
    expect(refused.retryAfter).toBe(30);
    expect(refused.counters[0]?.resetAt).toBe(Date.parse("2026-12-01T05:00:00Z"));

    clock.set("2026-12-01T05:00:00Z");
    const december = await guardian.check("spend", { resource: "openai" });
    expect(december.outcome).toBe("allow");
    expect(december.counters[0]).toMatchObject({
      used: 1,
      remaining: 1,
      resetAt: Date.parse("2027-01-01T05:00:00Z"),
      windowSeconds: 31 * 86_400,
    });
  });

  it("keeps spending of one month when the clock goes back into it", async () => {
    const clock = testClock("2026-11-30T10:00:00Z");
    const guardian = guardianFor(budgetPolicy("monthly_budget: 1"), { clock: clock.read });
    await guardian.check("spend", { resource: "openai" });
    clock.set("2026-12-15T10:00:00Z");
    expect((await guardian.check("spend", { resource: "openai" })).outcome).toBe("allow");
    clock.set("2026-11-30T11:00:00Z");
    expect((await guardian.check("spend", { resource: "openai" })).outcome).toBe("limit");
  });
});

describe("daily budgets", () => {
  it("resets at local midnight in the zone and says 'daily' in its reason", async () => {
    const clock = testClock("2026-11-24T22:30:00Z"); // 23:30 in Berlin
    const guardian = guardianFor(budgetPolicy("daily_budget: 1\ntimezone: Europe/Berlin"), { clock: clock.read });
    expect((await guardian.check("spend", { resource: "openai" })).outcome).toBe("allow");
    const refused = await guardian.check("spend", { resource: "openai" });
    expect(refused.outcome).toBe("limit");
    expect(refused.retryAfter).toBe(30 * 60);
    expect(refused.reason).toContain("daily budget of 1 would be exceeded");
    expect(refused.counters[0]).toMatchObject({ window: "day", windowSeconds: 86_400, resetAt: Date.parse("2026-11-24T23:00:00Z") });
    clock.set("2026-11-24T23:00:00Z");
    expect((await guardian.check("spend", { resource: "openai" })).outcome).toBe("allow");
  });
});

describe("costs", () => {
  it("a fixed cost in the rule wins over the call's estimate and adds up exactly", async () => {
    const guardian = guardianFor(budgetPolicy("daily_budget: 0.1\ncost: 0.02"));
    let last;
    for (let i = 0; i < 5; i++) last = await guardian.check("spend", { resource: "openai", cost: 50 });
    expect(last?.outcome).toBe("allow");
    expect(last?.counters[0]).toMatchObject({ used: 0.1, remaining: 0 });
    expect((await guardian.check("spend", { resource: "openai" })).outcome).toBe("limit");
  });

  it("charges the call's estimate when the rule sets no cost", async () => {
    const guardian = guardianFor(budgetPolicy("monthly_budget: 10"));
    const first = await guardian.check("spend", { resource: "openai", cost: 2.5 });
    expect(first.counters[0]).toMatchObject({ used: 2.5, remaining: 7.5 });
    const tooMuch = await guardian.check("spend", { resource: "openai", cost: 8 });
    expect(tooMuch.outcome).toBe("limit");
    expect(tooMuch.reason).toContain("(2.50 spent, this call costs 8)");
    expect((await guardian.check("spend", { resource: "openai", cost: 7.5 })).outcome).toBe("allow");
  });

  it("settle replaces the reserved estimate with the actual cost, upwards and downwards", async () => {
    const guardian = guardianFor(budgetPolicy("monthly_budget: 10"));
    const up = await guardian.check("spend", { resource: "openai", cost: 1 });
    await up.settle(4);
    const down = await guardian.check("spend", { resource: "openai", cost: 3 });
    expect(down.counters[0]?.used).toBe(7);
    await down.settle(0.5);
    const after = await guardian.check("spend", { resource: "openai", cost: 0 });
    expect(after.counters[0]?.used).toBe(4.5);
  });

  it("settles once: later calls of settle change nothing", async () => {
    const guardian = guardianFor(budgetPolicy("monthly_budget: 10"));
    const decision = await guardian.check("spend", { resource: "openai", cost: 1 });
    await decision.settle(2);
    await decision.settle(9);
    await decision.settle(0);
    expect((await guardian.check("spend", { resource: "openai", cost: 0 })).counters[0]?.used).toBe(2);
  });

  it("settle leaves a fixed-cost budget alone, and refuses negative or non-finite amounts without changing anything", async () => {
    const guardian = guardianFor(`
policies:
  - id: spend
    rules:
      - resource: openai
        monthly_budget: 10
        cost: 1
      - resource: openai
        daily_budget: 10
`);
    const decision = await guardian.check("spend", { resource: "openai", cost: 2 });
    await expect(decision.settle(Number.NaN)).rejects.toThrow(RangeError);
    await expect(decision.settle(-3)).rejects.toThrow(RangeError);
    await decision.settle(5);
    const after = await guardian.check("spend", { resource: "openai", cost: 0 });
    expect(after.counters.map((c) => [c.window, c.used])).toEqual([
      ["month", 2],
      ["day", 5],
    ]);
  });

  it("protect reserves the estimate from the arguments and settles the real cost from the result", async () => {
    const guardian = guardianFor(budgetPolicy("monthly_budget: 10"));
    const complete = guardian.protect("spend", async (tokens: number) => ({ tokens }), {
      context: { resource: "openai" },
      cost: (tokens) => tokens / 1000,
      settle: (result) => (result.tokens * 2) / 1000,
    });
    expect(await complete(1500)).toEqual({ tokens: 1500 });
    expect((await guardian.check("spend", { resource: "openai", cost: 0 })).counters[0]?.used).toBe(3);
  });
});

describe("warnings and thresholds", () => {
  it("warn_at_80% warns from 80% of the budget, still lets the call through, and blocks past 100%", async () => {
    const guardian = guardianFor(budgetPolicy('monthly_budget: 10\naction: "warn_at_80%"'), {
      clock: () => Date.parse("2026-11-24T12:00:00Z"),
    });
    expect((await guardian.check("spend", { resource: "openai", cost: 7.9 })).outcome).toBe("allow");
    const warned = await guardian.check("spend", { resource: "openai", cost: 0.1 });
    expect(warned.outcome).toBe("warn");
    expect(warned.isAllowed()).toBe(true);
    expect(warned.warnings).toEqual([
      expect.objectContaining({
        kind: "budget",
        message: "Policy 'spend' budget at 80%: spent 8 of 10 this month; resets at 2026-12-01T00:00:00.000Z",
      }),
    ]);
    expect(warned.counters[0]?.warnAt).toBe(0.8);
    expect((await guardian.check("spend", { resource: "openai", cost: 2 })).outcome).toBe("warn");
    expect((await guardian.check("spend", { resource: "openai", cost: 0.01 })).outcome).toBe("limit");
  });

  it("alert_at_percentage sets the threshold for a blocking budget", async () => {
    const guardian = guardianFor(budgetPolicy("monthly_budget: 100\nalert_at_percentage: 75"));
    expect((await guardian.check("spend", { resource: "openai", cost: 74 })).outcome).toBe("allow");
    const warned = await guardian.check("spend", { resource: "openai", cost: 1 });
    expect(warned.outcome).toBe("warn");
    expect(warned.reason).toContain("budget at 75%");
  });

  it("a rate limit with a threshold warns when it is close", async () => {
    const guardian = guardianFor(`
policies:
  - id: calls
    rules:
      - requests_per_hour: 4
        action: "warn_at_50%"
`);
    expect((await guardian.check("calls", { client: "c" })).outcome).toBe("allow");
    const warned = await guardian.check("calls", { client: "c" });
    expect(warned.outcome).toBe("warn");
    expect(warned.warnings[0]).toMatchObject({ kind: "rate", message: "Policy 'calls' rate at 2 of 4 per 1h" });
  });
});
