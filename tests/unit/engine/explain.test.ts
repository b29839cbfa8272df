// explain(): every rule of the file, whether it applied to the call, and what it found or why it did not apply.
import { describe, expect, it } from "vitest";
import { guardianFor, seedGuardian } from "./guardian-for.js";

describe("explain()", () => {
  it("lists every rule with its place in the file, and why each did or did not apply", async () => {
    const guardian = seedGuardian("quickstart.yaml");
    const decision = await guardian.evaluate({ client: "c", operation: "read" });
    expect(decision.explain()).toEqual([
      {
        rule: {
          policyId: "api_budget",
          index: 0,
          summary: "monthly budget 10, action warn_at_80%, on resource openai",
          line: 5,
          column: 9,
        },
        applied: false,
        why: "the call states no resource",
      },
      {
        rule: { policyId: "rate_limit", index: 0, summary: "100 requests per minute per client, on every resource", line: 11, column: 9 },
        applied: true,
        why: "applied; within its limits",
      },
      {
        rule: { policyId: "safe_delete", index: 0, summary: "confirmation required, on operation delete", line: 17, column: 9 },
        applied: false,
        why: "operation read is outside the rule's scope",
      },
    ]);
  });

  it("says which policies a named check was limited to", async () => {
    const decision = await seedGuardian("quickstart.yaml").check("safe_delete");
    const whys = decision.explain().map((entry) => [entry.rule.policyId, entry.applied, entry.why]);
    expect(whys).toEqual([
      ["api_budget", false, "only safe_delete applied to this call"],
      ["rate_limit", false, "only safe_delete applied to this call"],
      ["safe_delete", true, "Policy 'safe_delete' requires confirmation: Require confirmation for destructive ops"],
    ]);
  });

  it("says counters were not touched when a check refused the call first", async () => {
    const guardian = seedGuardian("quickstart.yaml");
    const decision = await guardian.evaluate({ client: "c", operation: "delete" });
    expect(decision.outcome).toBe("confirm");
    const rate = decision.explain().find((entry) => entry.rule.policyId === "rate_limit");
    expect(rate).toMatchObject({
      applied: true,
      why: "applied; its counters were not touched because the call was refused before counting",
    });
  });

  it("notes confirmations given, warnings, and checks that passed", async () => {
    const guardian = guardianFor(`
policies:
  - id: mixed
    rules:
      - operation: delete
        action: require_confirmation
      - require_facts: [ready]
      - resource: openai
        monthly_budget: 10
        action: "warn_at_10%"
`);
    const decision = await guardian.evaluate({ operation: "delete", confirm: true, facts: { ready: true }, resource: "openai", cost: 2 });
    expect(decision.outcome).toBe("warn");
    expect(decision.warnings[0]?.message).toMatch(/^Policy 'mixed' budget at 20%: spent 2 of 10 this month/);
    expect(decision.explain().map((entry) => entry.why)).toEqual([
      "Policy 'mixed' requires confirmation: confirmation required, on operation delete (confirmed by the caller)",
      "applied; its checks passed",
      decision.warnings[0]?.message,
    ]);
  });

  it("names the counter that refused the call", async () => {
    const guardian = guardianFor(`
policies:
  - id: tiny
    rules:
      - requests_per_hour: 1
`);
    await guardian.check("tiny", { client: "c" });
    const decision = await guardian.check("tiny", { client: "c" });
    expect(decision.explain()[0]?.why).toMatch(/^Policy 'tiny' limit reached: 1 requests per hour per client; retry in \d+ s$/);
  });
});
