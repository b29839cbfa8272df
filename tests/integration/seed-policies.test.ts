// The seed's example policies, each from its fixture file, behaving as the seed describes them.
import { describe, expect, it } from "vitest";
import { PolicyViolation } from "../../src/index.js";
import { outcomes, seedGuardian, testClock } from "../unit/engine/guardian-for.js";

describe("quickstart.yaml", () => {
  it("api_budget lets OpenAI calls spend $10 a month, warns from $8, and settles the real cost", async () => {
    const clock = testClock("2026-11-24T12:00:00Z");
    const guardian = seedGuardian("quickstart.yaml", { clock: clock.read });
    const callOpenai = guardian.protect("api_budget", async (prompt: string) => ({ text: prompt, cost: prompt.length / 10 }), {
      context: { resource: "openai" },
      cost: 1,
      settle: (result) => result.cost,
    });
    await callOpenai("x".repeat(70)); // reserves 1, settles 7
    const warned = await guardian.check("api_budget", { resource: "openai", cost: 1 });
    expect(warned.outcome).toBe("warn");
    expect(warned.counters[0]).toMatchObject({ used: 8, limit: 10 });
    await callOpenai("x".repeat(20)); // reserves 1, settles 2: exactly the budget
    const error = await callOpenai("y").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PolicyViolation);
    expect((error as PolicyViolation).decision.retryAfter).toBe(6.5 * 86_400);
  });
});

describe("openai_budget.yaml", () => {
  it("caps OpenAI spend at $100 a month, warning from 80%, and refuses until the next month", async () => {
    const clock = testClock("2026-11-24T12:00:00Z");
    const guardian = seedGuardian("openai_budget.yaml", { clock: clock.read });
    expect((await guardian.evaluate({ resource: "openai", cost: 79.99 })).outcome).toBe("allow");
    const warned = await guardian.evaluate({ resource: "openai", cost: 0.01 });
    expect(warned.outcome).toBe("warn");
    expect(warned.warnings[0]?.message).toBe(
      "Policy 'openai_budget' budget at 80%: spent 80 of 100 this month; resets at 2026-12-01T00:00:00.000Z",
    );
    expect((await guardian.evaluate({ resource: "openai", cost: 20 })).outcome).toBe("warn");
    const refused = await guardian.evaluate({ resource: "openai", cost: 0.01 });
    expect(refused.outcome).toBe("limit");
    expect(refused.retryAfter).toBe(6.5 * 86_400);
    expect((await guardian.evaluate({ resource: "anthropic", cost: 500 })).outcome).toBe("allow");
    clock.set("2026-12-01T00:00:00Z");
    expect((await guardian.evaluate({ resource: "openai", cost: 1 })).outcome).toBe("allow");
  });
});

describe("business_hours_only.yaml", () => {
  it("sends the email blast during New York business hours and refuses it at the weekend until Monday 09:00", async () => {
    const clock = testClock("2026-11-24T15:00:00Z"); // Tuesday 10:00 EST
    const guardian = seedGuardian("business_hours_only.yaml", { clock: clock.read });
    const sent: string[] = [];
    const sendBlast = guardian.protect("business_hours_only", (emails: string[]) => sent.push(...emails));
    await sendBlast(["a@example.com"]);
    clock.set("2026-11-28T15:00:00Z"); // Saturday 10:00 EST
    const error = await sendBlast(["b@example.com"]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PolicyViolation);
    expect((error as PolicyViolation).decision.retryAfter).toBe(47 * 3600); // Monday 09:00 EST
    expect(sent).toEqual(["a@example.com"]);
  });
});

describe("webhook_rate_limit.yaml", () => {
  it("lets 5 Discord webhook calls a minute through across all callers and refuses the 6th", async () => {
    const guardian = seedGuardian("webhook_rate_limit.yaml");
    const seen = await outcomes(
      6,
      (() => {
        let caller = 0;
        return () => guardian.evaluate({ resource: "webhook/discord", client: `10.0.0.${caller++}` });
      })(),
    );
    expect(seen).toEqual(["allow", "allow", "allow", "allow", "allow", "limit"]);
    expect((await guardian.evaluate({ resource: "webhook/slack", client: "10.0.0.1" })).outcome).toBe("allow");
  });
});

describe("migration_safety.yaml", () => {
  const migrate = { operation: "migrate" } as const;

  it("refuses outside production, then without a verified backup, then asks for confirmation, then runs", async () => {
    const staging = seedGuardian("migration_safety.yaml", { environment: "staging" });
    const inStaging = await staging.check("migration_safety", { ...migrate, facts: { backup_verified: true }, confirm: true });
    expect(inStaging.outcome).toBe("deny");
    expect(inStaging.kind).toBe("environment");

    const production = seedGuardian("migration_safety.yaml", { environment: "production" });
    const noBackup = await production.check("migration_safety", migrate);
    expect(noBackup.kind).toBe("facts");
    expect(noBackup.reason).toContain('fact "backup_verified" must be true');
    expect((await production.check("migration_safety", { ...migrate, facts: { backup_verified: true } })).outcome).toBe("confirm");

    const applied: string[] = [];
    const runMigration = production.protect("migration_safety", (file: string) => applied.push(file), {
      context: { facts: { backup_verified: true }, confirm: ["migration_safety"] },
    });
    await runMigration("0042_add_index.sql");
    expect(applied).toEqual(["0042_add_index.sql"]);
  });
});

describe("no_friday_deploys.yaml", () => {
  it("refuses deletes, updates and migrations from 16:00 on Friday through Sunday in New York, never reads", async () => {
    const clock = testClock("2026-11-27T20:59:00Z"); // Friday 15:59 EST
    const guardian = seedGuardian("no_friday_deploys.yaml", { clock: clock.read });
    expect((await guardian.evaluate({ operation: "delete" })).outcome).toBe("allow");
    clock.set("2026-11-27T21:00:00Z"); // Friday 16:00 EST
    const friday = await guardian.evaluate({ operation: "update" });
    expect(friday.outcome).toBe("deny");
    expect(friday.retryAfter).toBe(56 * 3600); // Monday 00:00 EST
    expect(friday.reason).toContain("inside forbidden hours 16:00-24:00 on friday (America/New_York)");
    expect((await guardian.evaluate({ operation: "read" })).outcome).toBe("allow");
    clock.set("2026-11-29T17:00:00Z"); // Sunday noon
    expect((await guardian.evaluate({ operation: "migrate" })).outcome).toBe("deny");
    expect((await guardian.check("no_destructive_friday")).outcome).toBe("deny");
    clock.set("2026-11-30T05:00:00Z"); // Monday 00:00 EST
    expect((await guardian.evaluate({ operation: "delete" })).outcome).toBe("allow");
  });
});

describe("full_template.yaml", () => {
  it("enforces the strict per-user API limits although the file runs in warn mode, warning at 90%", async () => {
    const guardian = seedGuardian("full_template.yaml", { clock: () => Date.parse("2026-11-24T12:00:00Z") });
    const call = () => guardian.evaluate({ route: "/api/items", method: "GET", user: "u1" });
    expect(await outcomes(6, call)).toEqual(["allow", "allow", "allow", "allow", "warn", "limit"]);
    expect((await guardian.evaluate({ route: "/api/items", method: "DELETE", user: "u1" })).outcome).toBe("allow");
  });

  it("reports what the warn-mode policies would refuse and refuses nothing", async () => {
    const guardian = seedGuardian("full_template.yaml", {
      environment: "production",
      clock: () => Date.parse("2026-11-29T15:00:00Z"), // Sunday
    });
    const admin = await guardian.evaluate({ route: "/admin/users", user: "eve" });
    expect(admin).toMatchObject({ outcome: "warn", wouldBe: "deny", policyId: "admin_only" });
    const write = await guardian.evaluate({ operation: "create" });
    expect(write).toMatchObject({ outcome: "warn", wouldBe: "deny", policyId: "office_hours_writes" });
    const destroy = await guardian.evaluate({ operation: "delete", facts: { backup_verified: true, ticket: "OPS-1" } });
    expect(destroy).toMatchObject({ outcome: "warn", wouldBe: "confirm", policyId: "destructive_ops" });
    expect((await guardian.evaluate({ feature: "beta_export" })).outcome).toBe("allow");
  });
});
