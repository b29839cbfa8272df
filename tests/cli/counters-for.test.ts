// guardian.countersFor(): the store keys a call would count against, so presetting them changes the next decision.
import { describe, it, expect } from "vitest";
import { createGuardian } from "../../src/index.js";

const POLICY = `
policies:
  - id: api_budget
    rules:
      - resource: openai
        monthly_budget: 10
  - id: rate_limit
    rules:
      - requests_per_minute: 3
`;

describe("guardian.countersFor", () => {
  it("names each counter a call reaches, without counting", async () => {
    const guardian = createGuardian({ policyText: POLICY, env: {} });
    const slots = guardian.countersFor({ resource: "openai", client: "203.0.113.9" });
    expect(slots.map((s) => [s.rule.policyId, s.kind, s.window, s.partition])).toEqual([
      ["api_budget", "budget", "month", "*"],
      ["rate_limit", "rate", "1m", "203.0.113.9"],
    ]);
    for (const slot of slots) expect(await guardian.store.peek(slot.key)).toBeUndefined();
  });

  it("presetting a budget slot makes the next call see the spent amount", async () => {
    const guardian = createGuardian({ policyText: POLICY, env: {} });
    const [budget] = guardian.countersFor({ resource: "openai" }, ["api_budget"]);
    expect(budget?.points(9.5)).toBe(9_500_000);
    await guardian.store.set(budget!.key, budget!.points(9.5), budget!.windowMs);
    const decision = await guardian.check("api_budget", { resource: "openai" });
    expect(decision.outcome).toBe("limit");
    expect(decision.reason).toContain("(9.50 spent, this call costs 1)");
  });

  it("refuses an unknown policy id", () => {
    const guardian = createGuardian({ policyText: POLICY, env: {} });
    expect(() => guardian.countersFor({}, ["nope"])).toThrow(/no policy with id "nope"/);
  });
});
