// guardian.reset(): one partition's counters or every partition's, rates and budgets, on the memory store.
import { describe, expect, it } from "vitest";
import { PolicyConfigError, type CounterStore } from "../../../src/index.js";
import { guardianFor, outcomes } from "./guardian-for.js";

const POLICIES = `
policies:
  - id: api
    rules:
      - requests_per_minute: 1
  - id: spend
    rules:
      - daily_budget: 1
        key: user
`;

describe("guardian.reset", () => {
  it("clears one client's rate counter and leaves the others", async () => {
    const guardian = guardianFor(POLICIES);
    for (const client of ["a", "b"]) await guardian.check("api", { client });
    await guardian.reset("api", "a");
    expect((await guardian.check("api", { client: "a" })).outcome).toBe("allow");
    expect((await guardian.check("api", { client: "b" })).outcome).toBe("limit");
  });

  it("clears a budget in its current period for one user", async () => {
    const guardian = guardianFor(POLICIES);
    expect(await outcomes(2, () => guardian.check("spend", { user: "u" }))).toEqual(["allow", "limit"]);
    await guardian.reset("spend", "u");
    expect((await guardian.check("spend", { user: "u" })).outcome).toBe("allow");
  });

  it("clears every partition of a policy and no other policy's", async () => {
    const guardian = guardianFor(POLICIES);
    for (const client of ["a", "b"]) await guardian.check("api", { client });
    await guardian.check("spend", { user: "u" });
    await guardian.reset("api");
    expect(await outcomes(2, () => guardian.check("api", { client: "b" }))).toEqual(["allow", "limit"]);
    expect((await guardian.check("spend", { user: "u" })).outcome).toBe("limit");
  });

  it("names the known ids for an unknown policy", async () => {
    const guardian = guardianFor(POLICIES);
    await expect(guardian.reset("apl")).rejects.toBeInstanceOf(PolicyConfigError);
  });

  it("says which method a store without reset lacks", async () => {
    const guardian = guardianFor(POLICIES);
    const {
      resetKey: _resetKey,
      resetPrefix: _resetPrefix,
      ...bare
    } = guardian.store as CounterStore & { resetKey: unknown; resetPrefix: unknown };
    const limited = guardianFor(POLICIES, {
      store: { ...bare, name: "bare", consume: (ops) => guardian.store.consume(ops) },
    });
    await expect(limited.reset("api", "a")).rejects.toThrow(/bare store has no resetKey\(\)/);
  });
});
