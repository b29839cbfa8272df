// A refused call consumes nothing: counters taken by earlier rules are given back, and checks refuse before counting.
import { describe, expect, it, vi } from "vitest";
import { MemoryStore, type GuardianOptions } from "../../../src/index.js";
import { guardianFor as guardianOver, outcomes, PromiseOnlyStore, useFakeTimersAt } from "./guardian-for.js";

useFakeTimersAt("2026-11-24T12:00:00Z");

describe.each([
  ["a synchronous store", () => new MemoryStore()],
  ["a promise-only store", () => new PromiseOnlyStore()],
] as const)("a refused call consumes nothing, on %s", (_name, makeStore) => {
  const guardianFor = (yaml: string, options: GuardianOptions = {}) => guardianOver(yaml, { store: makeStore(), ...options });

  it("gives back the points of earlier rules when a later rule limits the call", async () => {
    const guardian = guardianFor(`
policies:
  - id: per_client
    rules:
      - requests_per_minute: 3
  - id: burst
    rules:
      - requests_per_second: 2
        key: global
`);
    const check = () => guardian.check(["per_client", "burst"], { client: "c" });
    expect(await outcomes(3, check)).toEqual(["allow", "allow", "limit"]);
    vi.advanceTimersByTime(1_000);
    // Had the refused call kept its per-client point, this would be the 4th of 3.
    const third = await check();
    expect(third.outcome).toBe("allow");
    expect(third.counters.map((c) => c.used)).toEqual([3, 1]);
    expect((await check()).outcome).toBe("limit");
  });

  it("gives back the limited counter's own point, so steady refusals never extend the block", async () => {
    const guardian = guardianFor(`
policies:
  - id: limited
    rules:
      - requests_per_minute: 2
`);
    await outcomes(2, () => guardian.check("limited", { client: "c" }));
    const refusals = await outcomes(50, () => guardian.check("limited", { client: "c" }));
    expect(new Set(refusals)).toEqual(new Set(["limit"]));
    vi.advanceTimersByTime(60_000);
    expect(await outcomes(3, () => guardian.check("limited", { client: "c" }))).toEqual(["allow", "allow", "limit"]);
  });

  it("gives back a budget reservation when a rate limit refuses the same call", async () => {
    const guardian = guardianFor(`
policies:
  - id: spend
    rules:
      - resource: openai
        monthly_budget: 10
  - id: limited
    rules:
      - requests_per_minute: 1
`);
    await guardian.evaluate({ resource: "openai", client: "c", cost: 4 });
    const refused = await guardian.evaluate({ resource: "openai", client: "c", cost: 4 });
    expect(refused.outcome).toBe("limit");
    expect(refused.policyId).toBe("limited");
    const other = await guardian.evaluate({ resource: "openai", client: "d", cost: 6 });
    expect(other.outcome).toBe("allow");
    expect(other.counters.find((c) => c.kind === "budget")?.used).toBe(10);
  });

  it("touches no counter when a check refuses the call", async () => {
    const guardian = guardianFor(`
policies:
  - id: guarded
    rules:
      - requests_per_minute: 2
        require_facts: [approved]
`);
    const refused = await outcomes(5, () => guardian.check("guarded", { client: "c" }));
    expect(new Set(refused)).toEqual(new Set(["deny"]));
    const admitted = await guardian.check("guarded", { client: "c", facts: { approved: true } });
    expect(admitted.counters[0]?.used).toBe(1);
  });

  it("touches no counter when the call still needs confirmation", async () => {
    const guardian = guardianFor(`
policies:
  - id: careful
    rules:
      - operation: delete
        action: require_confirmation
      - requests_per_minute: 1
`);
    expect((await guardian.check("careful", { operation: "delete", client: "c" })).outcome).toBe("confirm");
    expect((await guardian.check("careful", { operation: "delete", client: "c", confirm: true })).outcome).toBe("allow");
  });
});
