// Rate limits: the exact edge, several windows in one rule, every kind of key, and windows that reset.
import { describe, expect, it, vi } from "vitest";
import { PolicyConfigError } from "../../../src/index.js";
import { guardianFor, outcomes, useFakeTimersAt } from "./guardian-for.js";

const START = Date.parse("2026-11-24T12:00:00Z");

function perMinute(limit: number, key?: string): string {
  return `
policies:
  - id: limited
    rules:
      - requests_per_minute: ${limit}
${key === undefined ? "" : `        key: ${key}\n`}`;
}

useFakeTimersAt("2026-11-24T12:00:00Z");

describe("the limit edge", () => {
  it.each([1, 2, 7, 100])("lets the %ith call through and limits the next", async (limit) => {
    const guardian = guardianFor(perMinute(limit));
    const seen = await outcomes(limit + 1, () => guardian.check("limited", { client: "c1" }));
    expect(seen.slice(0, limit).every((outcome) => outcome === "allow")).toBe(true);
    expect(seen[limit]).toBe("limit");
  });

  it("reports limit, used, remaining and reset for the window, and Retry-After until the reset", async () => {
    const guardian = guardianFor(perMinute(3));
    const first = await guardian.check("limited", { client: "c1" });
    expect(first.counters).toEqual([
      expect.objectContaining({
        kind: "rate",
        window: "1m",
        windowSeconds: 60,
        limit: 3,
        used: 1,
        remaining: 2,
        resetAt: START + 60_000,
        partition: "c1",
      }),
    ]);
    vi.advanceTimersByTime(20_000);
    await guardian.check("limited", { client: "c1" });
    await guardian.check("limited", { client: "c1" });
    const refused = await guardian.check("limited", { client: "c1" });
    expect(refused.outcome).toBe("limit");
    expect(refused.kind).toBe("rate");
    expect(refused.policyId).toBe("limited");
    expect(refused.retryAfter).toBe(40);
    expect(refused.reason).toBe("Policy 'limited' limit reached: 3 requests per minute per client; retry in 40 s");
    expect(refused.counters[0]).toMatchObject({ used: 3, remaining: 0, resetAt: START + 60_000 });
  });

  it("starts a fresh window once the old one has run out", async () => {
    const guardian = guardianFor(perMinute(2));
    expect(await outcomes(3, () => guardian.check("limited", { client: "c1" }))).toEqual(["allow", "allow", "limit"]);
    vi.advanceTimersByTime(59_999);
    expect((await guardian.check("limited", { client: "c1" })).outcome).toBe("limit");
    vi.advanceTimersByTime(1);
    const fresh = await guardian.check("limited", { client: "c1" });
    expect(fresh.outcome).toBe("allow");
    expect(fresh.counters[0]).toMatchObject({ used: 1, resetAt: START + 120_000 });
  });
});

describe("several windows in one rule", () => {
  const yaml = `
policies:
  - id: burst
    rules:
      - requests_per_second: 2
        requests_per_minute: 3
`;

  it("enforces every window and reports each one", async () => {
    const guardian = guardianFor(yaml);
    expect(await outcomes(2, () => guardian.check("burst", { client: "c" }))).toEqual(["allow", "allow"]);
    const perSecond = await guardian.check("burst", { client: "c" });
    expect(perSecond.outcome).toBe("limit");
    expect(perSecond.retryAfter).toBe(1);
    expect(perSecond.counters.map((c) => [c.window, c.used])).toEqual([
      ["1s", 2],
      ["1m", 2],
    ]);

    vi.advanceTimersByTime(1_000);
    expect((await guardian.check("burst", { client: "c" })).outcome).toBe("allow");
    const perMinute = await guardian.check("burst", { client: "c" });
    expect(perMinute.outcome).toBe("limit");
    expect(perMinute.retryAfter).toBe(59);
    expect(perMinute.reason).toContain("3 requests per minute");
  });

  it("when two windows refuse at once, answers with the one that clears last", async () => {
    const guardian = guardianFor(`
policies:
  - id: both
    rules:
      - requests_per_second: 1
        requests_per_hour: 1
`);
    await guardian.check("both", { client: "c" });
    const refused = await guardian.check("both", { client: "c" });
    expect(refused.outcome).toBe("limit");
    expect(refused.retryAfter).toBe(3600);
  });
});

describe("counter keys", () => {
  it("counts per client by default, each client on its own", async () => {
    const guardian = guardianFor(perMinute(1));
    expect((await guardian.check("limited", { client: "a" })).outcome).toBe("allow");
    expect((await guardian.check("limited", { client: "b" })).outcome).toBe("allow");
    expect((await guardian.check("limited", { client: "a" })).outcome).toBe("limit");
  });

  it("counts calls without a client together", async () => {
    const guardian = guardianFor(perMinute(1));
    expect(await outcomes(2, () => guardian.check("limited", {}))).toEqual(["allow", "limit"]);
  });

  it("key user counts per user across clients, and falls back to the client without a user", async () => {
    const guardian = guardianFor(perMinute(1, "user"));
    expect((await guardian.check("limited", { user: "u1", client: "a" })).outcome).toBe("allow");
    expect((await guardian.check("limited", { user: "u1", client: "b" })).outcome).toBe("limit");
    const anonymous = await guardian.check("limited", { client: "a" });
    expect(anonymous.outcome).toBe("allow");
    expect(anonymous.counters[0]?.partition).toBe("client:a");
    expect((await guardian.check("limited", { client: "a" })).outcome).toBe("limit");
    expect((await guardian.check("limited", { user: "u2", client: "a" })).outcome).toBe("allow");
  });

  it("key api_key counts per key, and falls back to the client without one", async () => {
    const guardian = guardianFor(perMinute(1, "api_key"));
    expect((await guardian.check("limited", { apiKey: "k1", client: "a" })).outcome).toBe("allow");
    expect((await guardian.check("limited", { apiKey: "k1", client: "b" })).outcome).toBe("limit");
    expect((await guardian.check("limited", { apiKey: "k2", client: "b" })).outcome).toBe("allow");
    expect((await guardian.check("limited", { client: "b" })).counters[0]?.partition).toBe("client:b");
  });

  it("key route counts per route for every client", async () => {
    const guardian = guardianFor(perMinute(1, "route"));
    expect((await guardian.check("limited", { route: "/a", client: "x" })).outcome).toBe("allow");
    expect((await guardian.check("limited", { route: "/a", client: "y" })).outcome).toBe("limit");
    expect((await guardian.check("limited", { route: "/b", client: "y" })).outcome).toBe("allow");
  });

  it("key global counts every call together", async () => {
    const guardian = guardianFor(perMinute(2, "global"));
    const seen = [
      (await guardian.check("limited", { client: "a", user: "u" })).outcome,
      (await guardian.check("limited", { client: "b" })).outcome,
      (await guardian.check("limited", { client: "c", apiKey: "k" })).outcome,
    ];
    expect(seen).toEqual(["allow", "allow", "limit"]);
  });

  it("a custom key uses the key function, a value stated in the context first, and the client as a fallback", async () => {
    const guardian = guardianFor(perMinute(1, "tenant"), { keys: { tenant: (ctx) => ctx.user?.split("@")[1] } });
    expect((await guardian.check("limited", { user: "ann@acme", client: "1" })).outcome).toBe("allow");
    const sameTenant = await guardian.check("limited", { user: "bob@acme", client: "2" });
    expect(sameTenant.outcome).toBe("limit");
    expect(sameTenant.counters[0]?.partition).toBe("acme");
    expect((await guardian.check("limited", { user: "bob@acme", keys: { tenant: "globex" } })).outcome).toBe("allow");
    const noTenant = await guardian.check("limited", { client: "3" });
    expect(noTenant.outcome).toBe("allow");
    expect(noTenant.counters[0]?.partition).toBe("client:3");
  });

  it("a custom key without a key function is refused at start-up, naming the rule and the fix", () => {
    let thrown: unknown;
    try {
      guardianFor(perMinute(1, "tenant"));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PolicyConfigError);
    const problem = (thrown as PolicyConfigError).problems[0];
    expect(problem).toMatchObject({ policyId: "limited", path: "policies.limited.rules[0].key", line: 5 });
    expect(problem?.message).toContain('key "tenant"');
    expect(problem?.fix).toContain("keys: { tenant:");
  });
});
