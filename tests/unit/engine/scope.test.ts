// Scope: a named policy covers what the call does not state; evaluate() applies only what the call states.
import { describe, expect, it } from "vitest";
import { guardianFor, seedGuardian } from "./guardian-for.js";

describe("explicitly named policies", () => {
  it("protect('safe_delete') covers a plain function that states no operation", async () => {
    const guardian = seedGuardian("quickstart.yaml");
    expect((await guardian.check("safe_delete")).outcome).toBe("confirm");
    expect((await guardian.check("safe_delete", { operation: "read" })).outcome).toBe("allow");
  });

  it("a named budget covers a call without a resource, but not a call naming another resource", async () => {
    const guardian = seedGuardian("quickstart.yaml");
    expect((await guardian.check("api_budget", { cost: 1 })).counters.map((c) => c.kind)).toEqual(["budget"]);
    expect((await guardian.check("api_budget", { resource: "anthropic", cost: 1 })).counters).toEqual([]);
  });

  it("a list of policies is decided together, and an unknown id throws before anything is counted", async () => {
    const guardian = seedGuardian("quickstart.yaml");
    const both = await guardian.check(["rate_limit", "safe_delete"], { client: "c", operation: "delete" });
    expect(both.outcome).toBe("confirm");
    expect(() => guardian.check(["rate_limit", "nope"], { client: "c" })).toThrow(/no policy with id "nope"/);
    expect((await guardian.check("rate_limit", { client: "c" })).counters[0]?.used).toBe(1);
  });
});

describe("evaluate() applies every policy, scoped by what the call states", () => {
  it("never touches a resource-scoped budget for a call that names no resource", async () => {
    const guardian = seedGuardian("quickstart.yaml");
    const decision = await guardian.evaluate({ client: "c", cost: 100 });
    expect(decision.outcome).toBe("allow");
    expect(decision.counters.map((c) => c.rule.policyId)).toEqual(["rate_limit"]);
    const openai = await guardian.evaluate({ client: "c", resource: "openai", cost: 1 });
    expect(openai.counters.map((c) => c.rule.policyId)).toEqual(["api_budget", "rate_limit"]);
  });

  it("applies resource '*' rules to every call, with or without a resource", async () => {
    const guardian = seedGuardian("quickstart.yaml");
    for (const resource of [undefined, "openai", "s3"]) {
      const decision = await guardian.evaluate({ client: "c", ...(resource === undefined ? {} : { resource }) });
      expect(decision.counters.some((c) => c.rule.policyId === "rate_limit")).toBe(true);
    }
  });

  it("matches routes, methods, resource types and environments", async () => {
    const guardian = guardianFor(
      `
policies:
  - id: scoped
    rules:
      - route: ["/admin/*", "/users/:id"]
        methods: [delete]
        resource_types: [table]
        environments: [production]
`,
      { environment: "production" },
    );
    const hit = { route: "/users/7", method: "DELETE", resourceType: "table" };
    expect((await guardian.evaluate(hit)).outcome).toBe("deny");
    expect((await guardian.evaluate({ ...hit, route: "/admin/a/b?x=1" })).outcome).toBe("deny");
    expect((await guardian.evaluate({ ...hit, route: "/users/7/posts" })).outcome).toBe("allow");
    expect((await guardian.evaluate({ ...hit, method: "GET" })).outcome).toBe("allow");
    expect((await guardian.evaluate({ ...hit, resourceType: "queue" })).outcome).toBe("allow");
    expect((await guardian.evaluate({ ...hit, environment: "staging" })).outcome).toBe("allow");
    const { method: _method, ...withoutMethod } = hit;
    expect((await guardian.evaluate(withoutMethod)).outcome).toBe("allow");
    expect((await guardian.check("scoped", withoutMethod)).outcome).toBe("deny");
  });
});
