// Checks: confirmation, time windows, environment, facts, user and role allow-lists, feature flags.
import { describe, expect, it } from "vitest";
import { guardianFor, seedGuardian, testClock } from "./guardian-for.js";

describe("confirmation", () => {
  const yaml = `
policies:
  - id: safe_delete
    description: "Require confirmation for destructive ops"
    rules:
      - operation: delete
        action: require_confirmation
  - id: other
    rules:
      - operation: delete
        action: require_confirmation
`;

  it("asks for confirmation until the caller states it, for every policy or for named ones", async () => {
    const guardian = guardianFor(yaml);
    const asked = await guardian.evaluate({ operation: "delete" });
    expect(asked.outcome).toBe("confirm");
    expect(asked.kind).toBe("confirm");
    expect(asked.reason).toBe("Policy 'safe_delete' requires confirmation: Require confirmation for destructive ops");
    expect((await guardian.evaluate({ operation: "delete", confirm: true })).outcome).toBe("allow");
    expect((await guardian.evaluate({ operation: "delete", confirm: ["safe_delete", "other"] })).outcome).toBe("allow");
    const partly = await guardian.evaluate({ operation: "delete", confirm: ["safe_delete"] });
    expect(partly.outcome).toBe("confirm");
    expect(partly.policyId).toBe("other");
    expect((await guardian.evaluate({ operation: "delete", confirm: false })).outcome).toBe("confirm");
  });

  it("does not ask for operations outside the rule's scope", async () => {
    const guardian = guardianFor(yaml);
    expect((await guardian.evaluate({ operation: "read" })).outcome).toBe("allow");
    expect((await guardian.evaluate({ operation: ["read", "DELETE"] })).outcome).toBe("confirm");
  });
});

describe("time windows", () => {
  const businessHours = `
policies:
  - id: office
    rules:
      - allowed_hours: ["09:00-17:00"]
        allowed_days: [monday, tuesday, wednesday, thursday, friday]
        timezone: America/New_York
`;

  it("allows business hours in New York and refuses outside them with the time until they open", async () => {
    const clock = testClock("2026-11-24T14:00:00Z"); // Tuesday 09:00 EST
    const guardian = guardianFor(businessHours, { clock: clock.read });
    expect((await guardian.check("office")).outcome).toBe("allow");
    clock.set("2026-11-24T13:59:00Z");
    const early = await guardian.check("office");
    expect(early.outcome).toBe("deny");
    expect(early.kind).toBe("time");
    expect(early.retryAfter).toBe(60);
    expect(early.reason).toBe(
      "Policy 'office' denies this call: outside allowed hours 09:00-17:00 on monday-friday (America/New_York); it is 08:59 on tuesday there",
    );
  });

  it("prefers the call's own instant (ctx.now) over the clock", async () => {
    const guardian = guardianFor(businessHours, { clock: () => Date.parse("2026-11-24T14:00:00Z") });
    expect((await guardian.check("office", { now: Date.parse("2026-11-28T15:00:00Z") })).outcome).toBe("deny");
  });

  it("follows the spring-forward weekend of 2026-03-08: Monday opens at 09:00 EDT = 13:00 UTC", async () => {
    const clock = testClock("2026-03-06T22:00:00Z"); // Friday 17:00 EST
    const guardian = guardianFor(businessHours, { clock: clock.read });
    const friday = await guardian.check("office");
    expect(friday.outcome).toBe("deny");
    expect(friday.retryAfter).toBe(63 * 3600); // 64 wall-clock hours, one of them skipped
    clock.set("2026-03-09T12:59:00Z");
    expect((await guardian.check("office")).outcome).toBe("deny");
    clock.set("2026-03-09T13:00:00Z");
    expect((await guardian.check("office")).outcome).toBe("allow");
  });

  it("follows the fall-back weekend of 2026-11-01: Monday opens at 09:00 EST = 14:00 UTC", async () => {
    const clock = testClock("2026-10-30T21:00:00Z"); // Friday 17:00 EDT
    const guardian = guardianFor(businessHours, { clock: clock.read });
    const friday = await guardian.check("office");
    expect(friday.retryAfter).toBe(65 * 3600); // 64 wall-clock hours, one of them repeated
    clock.set("2026-11-02T13:00:00Z");
    expect((await guardian.check("office")).outcome).toBe("deny");
    clock.set("2026-11-02T14:00:00Z");
    expect((await guardian.check("office")).outcome).toBe("allow");
  });

  it("forbidden hours that cross midnight refuse late evening and early morning, and reopen at the end", async () => {
    const clock = testClock("2026-11-24T21:59:00Z");
    const guardian = guardianFor(
      `
policies:
  - id: quiet
    rules:
      - forbidden_hours: ["22:00-06:00"]
`,
      { clock: clock.read },
    );
    expect((await guardian.check("quiet")).outcome).toBe("allow");
    clock.set("2026-11-24T22:00:00Z");
    const night = await guardian.check("quiet");
    expect(night.outcome).toBe("deny");
    expect(night.retryAfter).toBe(8 * 3600);
    clock.set("2026-11-25T05:59:00Z");
    expect((await guardian.check("quiet")).outcome).toBe("deny");
    clock.set("2026-11-25T06:00:00Z");
    expect((await guardian.check("quiet")).outcome).toBe("allow");
  });
});

describe("environment and facts", () => {
  const yaml = `
policies:
  - id: prod_only
    rules:
      - require_environment: [production, staging]
  - id: facts_list
    rules:
      - require_facts: [backup_verified, reviewed]
  - id: facts_map
    rules:
      - require_facts: { backup_verified: true, ticket: "OPS-1", replicas: 3 }
`;

  it("require_environment reads the guardian's environment, and a call may state its own", async () => {
    expect((await guardianFor(yaml).check("prod_only")).reason).toBe(
      "Policy 'prod_only' denies this call: environment must be production or staging (it is development)",
    );
    expect((await guardianFor(yaml, { environment: "staging" }).check("prod_only")).outcome).toBe("allow");
    expect((await guardianFor(yaml, { env: { HEXARCH_ENV: "production", NODE_ENV: "test" } }).check("prod_only")).outcome).toBe("allow");
    expect((await guardianFor(yaml, { env: { NODE_ENV: "production" } }).check("prod_only")).outcome).toBe("allow");
    const stated = await guardianFor(yaml).check("prod_only", { environment: "production" });
    expect(stated.outcome).toBe("allow");
  });

  it("require_facts as a list wants each fact to be true", async () => {
    const guardian = guardianFor(yaml);
    const missing = await guardian.check("facts_list", { facts: { backup_verified: true } });
    expect(missing.outcome).toBe("deny");
    expect(missing.kind).toBe("facts");
    expect(missing.reason).toContain('fact "reviewed" must be true (got nothing)');
    expect((await guardian.check("facts_list", { facts: { backup_verified: "yes", reviewed: true } })).outcome).toBe("deny");
    expect((await guardian.check("facts_list", { facts: { backup_verified: true, reviewed: true } })).outcome).toBe("allow");
  });

  it("require_facts as a map wants each fact to equal its value", async () => {
    const guardian = guardianFor(yaml);
    const wrong = await guardian.check("facts_map", { facts: { backup_verified: true, ticket: "OPS-2", replicas: 3 } });
    expect(wrong.reason).toContain('fact "ticket" must be "OPS-1" (got "OPS-2")');
    expect((await guardian.check("facts_map", { facts: { backup_verified: true, ticket: "OPS-1", replicas: "3" } })).outcome).toBe("deny");
    expect((await guardian.check("facts_map", { facts: { backup_verified: true, ticket: "OPS-1", replicas: 3 } })).outcome).toBe("allow");
  });
});

describe("allowed users and roles", () => {
  const guardian = guardianFor(`
policies:
  - id: admins
    rules:
      - allowed_users: [alice]
        allowed_roles: [admin, owner]
`);

  it("admits a listed user or a user with a listed role, and nobody else", async () => {
    expect((await guardian.check("admins", { user: "alice" })).outcome).toBe("allow");
    expect((await guardian.check("admins", { user: "bob", roles: ["viewer", "owner"] })).outcome).toBe("allow");
    const carol = await guardian.check("admins", { user: "carol", roles: ["viewer"] });
    expect(carol.outcome).toBe("deny");
    expect(carol.kind).toBe("access");
    expect(carol.reason).toBe(`Policy 'admins' denies this call: user "carol" is not allowed`);
    expect((await guardian.check("admins", {})).reason).toContain("no user was identified");
  });
});

describe("feature flags", () => {
  const yaml = `
policies:
  - id: flags
    rules:
      - feature: old_search
        enabled: false
      - feature: bulk_export
        requires_approval: true
      - feature: new_checkout
        enabled: true
`;

  it("enabled: false refuses calls that exercise the feature and leaves other calls alone", async () => {
    const guardian = guardianFor(yaml);
    const refused = await guardian.evaluate({ feature: "old_search" });
    expect(refused.outcome).toBe("deny");
    expect(refused.kind).toBe("feature");
    expect(refused.reason).toContain('feature "old_search" is disabled');
    expect((await guardian.evaluate({ feature: "new_checkout" })).outcome).toBe("allow");
    expect((await guardian.evaluate({})).outcome).toBe("allow");
  });

  it("requires_approval asks for confirmation until the caller gives it", async () => {
    const guardian = guardianFor(yaml);
    expect((await guardian.evaluate({ feature: "bulk_export" })).outcome).toBe("confirm");
    expect((await guardian.evaluate({ feature: "bulk_export", confirm: ["flags"] })).outcome).toBe("allow");
  });

  it("in the seed's full template, the disabled beta_export policy refuses nothing", async () => {
    const guardian = seedGuardian("full_template.yaml");
    expect((await guardian.check("beta_export", { feature: "beta_export" })).outcome).toBe("allow");
  });
});

describe("require_confirmation with conditions and triggers", () => {
  const yaml = `
policies:
  - id: careful_deletes
    rules:
      - operation: delete
        require_environment: production
        require_facts: [backup_verified]
        action: require_confirmation
  - id: soft_hours
    rules:
      - operation: deploy
        allowed_hours: ["09:00-17:00"]
        action: require_confirmation
`;

  it("denies when a condition fails, even confirmed, and asks for confirmation once the conditions hold", async () => {
    const staging = guardianFor(yaml, { environment: "staging" });
    const refused = await staging.check("careful_deletes", { operation: "delete", facts: { backup_verified: true }, confirm: true });
    expect(refused.outcome).toBe("deny");
    expect(refused.kind).toBe("environment");
    const production = guardianFor(yaml, { environment: "production" });
    expect((await production.check("careful_deletes", { operation: "delete", confirm: true })).kind).toBe("facts");
    const asked = await production.check("careful_deletes", { operation: "delete", facts: { backup_verified: true } });
    expect(asked.outcome).toBe("confirm");
    expect(asked.explain().find((entry) => entry.applied)?.why).toBe(
      "Policy 'careful_deletes' requires confirmation: environment must be production, requires backup_verified, action require_confirmation, on operation delete",
    );
    expect(
      (await production.check("careful_deletes", { operation: "delete", facts: { backup_verified: true }, confirm: true })).outcome,
    ).toBe("allow");
  });

  it("asks for confirmation only when a time window or counter triggers", async () => {
    const clock = testClock("2026-11-24T10:00:00Z");
    const guardian = guardianFor(yaml, { clock: clock.read });
    expect((await guardian.evaluate({ operation: "deploy" })).outcome).toBe("allow");
    clock.set("2026-11-24T18:00:00Z");
    expect((await guardian.evaluate({ operation: "deploy" })).outcome).toBe("confirm");
    expect((await guardian.evaluate({ operation: "deploy", confirm: true })).outcome).toBe("allow");
  });
});

describe("time windows of several rules", () => {
  it("put Retry-After at the first minute every window allows, not where the first one reopens", async () => {
    const guardian = guardianFor(
      `
policies:
  - id: evenings
    rules:
      - forbidden_hours: ["18:00-24:00"]
  - id: mornings
    rules:
      - forbidden_hours: ["00:00-07:00"]
  - id: ignored_in_shadow
    enforcement: warn
    rules:
      - forbidden_hours: ["07:00-09:00"]
`,
      { clock: () => Date.parse("2026-11-24T20:00:00Z") },
    );
    const decision = await guardian.evaluate({});
    expect(decision.policyId).toBe("evenings");
    expect(decision.retryAfter).toBe(11 * 3600);
  });
});
