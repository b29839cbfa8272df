// Counters are named by policy, scope, window and key: edits of anything else keep them, so a reload never resets a budget.
import { describe, expect, it } from "vitest";
import { createGuardian, MemoryStore } from "../../../src/index.js";

const BEFORE = `policies:
  - id: api
    description: one
    rules:
      - route: /a
        requests_per_minute: 100
      - resource: openai
        daily_budget: 10
        key: user
`;
const AFTER = `policies:
  - id: api
    description: two
    rules:
      - resource: openai
        daily_budget: 20
        key: user
        action: warn_at_50%
      - route: /a
        requests_per_minute: 5
`;

const guardianOver = (text: string, store: MemoryStore) => createGuardian({ policyText: text, store, env: {}, decisionLog: false });

describe("counter identity", () => {
  it("keeps a counter's store key through a reorder and edits of limit, action and description", () => {
    const store = new MemoryStore();
    const call = { route: "/a", resource: "openai", user: "ana" };
    const before = guardianOver(BEFORE, store)
      .countersFor(call)
      .map((slot) => slot.key)
      .sort();
    const after = guardianOver(AFTER, store)
      .countersFor(call)
      .map((slot) => slot.key)
      .sort();
    expect(after).toEqual(before);
  });

  it("applies a lowered limit to what was already counted", async () => {
    const store = new MemoryStore();
    const call = { route: "/a", client: "c1" };
    for (let i = 0; i < 3; i++) await guardianOver(BEFORE, store).check("api", call);
    const lowered = guardianOver(BEFORE.replace("requests_per_minute: 100", "requests_per_minute: 5"), store);
    expect((await lowered.check("api", call)).counters[0]).toMatchObject({ used: 4, remaining: 1 });
  });

  it("gives a counter a new name when its scope, window or key changes", () => {
    const store = new MemoryStore();
    const key = (text: string, route = "/a") =>
      guardianOver(text, store)
        .countersFor({ route, user: "ana" }, ["api"])
        .find((slot) => slot.kind === "rate")?.key;
    const base = key(BEFORE);
    expect(key(BEFORE.replace("route: /a", "route: /b"), "/b")).not.toBe(base);
    expect(key(BEFORE.replace("requests_per_minute: 100", "requests_per_hour: 100"))).not.toBe(base);
    expect(key(BEFORE.replace("requests_per_minute: 100", "requests_per_minute: 100\n        key: user"))).not.toBe(base);
  });

  it("tells apart two counters of one policy with the same scope, window and key", async () => {
    const twice = `policies:
  - id: p
    rules:
      - route: /a
        requests_per_minute: 2
      - route: /a
        requests_per_minute: 3
`;
    const guardian = guardianOver(twice, new MemoryStore());
    const keys = guardian.countersFor({ route: "/a" }).map((slot) => slot.key);
    expect(new Set(keys).size).toBe(2);
    await guardian.check("p", { route: "/a" });
    expect((await guardian.check("p", { route: "/a" })).counters.map((c) => c.used)).toEqual([2, 2]);
  });
});
