// The store contract: every counter store must make the engine decide exactly as it does on any other store.
import { expect, it } from "vitest";
import { createGuardian, type CounterStore, type GuardContext, type Guardian, type GuardianOptions } from "../../../src/index.js";

/** Builds a store whose counters no other test sees; an in-process store follows `clock` where a call states no instant. */
export type StoreFactory = (clock?: () => number) => CounterStore;

const RATE = `
policies:
  - id: per_client
    rules:
      - requests_per_minute: 3
`;

const TWO_WINDOWS = `
policies:
  - id: burst_and_hour
    rules:
      - requests_per_minute: 5
        requests_per_hour: 3
`;

const CLIENT_THEN_GLOBAL = `
policies:
  - id: per_client
    rules:
      - requests_per_minute: 3
  - id: all_clients
    rules:
      - requests_per_minute: 2
        key: global
`;

const BUDGET = `
policies:
  - id: spend
    rules:
      - resource: openai
        monthly_budget: 10
        action: warn_at_80%
`;

const BERLIN_BUDGET = `
policies:
  - id: spend
    rules:
      - resource: openai
        monthly_budget: 1
        timezone: Europe/Berlin
`;

const CHECKS_BEFORE_COUNTERS = `
policies:
  - id: admins
    rules:
      - route: /admin/*
        allowed_users: [alice]
  - id: one_call
    rules:
      - requests_per_minute: 1
        key: global
`;

const EVERY_CHECK = `
policies:
  - id: confirm_deletes
    rules:
      - operation: delete
        action: require_confirmation
  - id: office_hours
    rules:
      - resource: reports
        allowed_hours: ["09:00-17:00"]
        timezone: UTC
  - id: production_only
    rules:
      - resource: migrations
        require_environment: production
        require_facts: [backup_verified]
  - id: beta
    rules:
      - feature: beta_export
        enabled: false
`;

const SHADOW = `
enforcement: warn
policies:
  - id: per_client
    rules:
      - requests_per_minute: 1
`;

/** 2025-01-31 12:00 UTC, a Friday. */
const JAN_31_NOON = Date.UTC(2025, 0, 31, 12, 0);

function outcomes(decisions: readonly { outcome: string }[]): string[] {
  return decisions.map((d) => d.outcome);
}

async function inTurn(guardian: Guardian, calls: number, ctx: GuardContext, policyIds?: readonly string[]) {
  const decisions = [];
  for (let i = 0; i < calls; i += 1)
    decisions.push(await (policyIds === undefined ? guardian.evaluate(ctx) : guardian.check(policyIds, ctx)));
  return decisions;
}

/** Defines the contract's tests inside the caller's `describe`, each test on a fresh store from `makeStore`. */
export function storeContract(makeStore: StoreFactory): void {
  const guardianWith = (policyText: string, options: Omit<GuardianOptions, "policyText" | "store"> = {}): Guardian =>
    createGuardian({ policyText, store: makeStore(options.clock), ...options });

  it("admits exactly the limit, refuses the next with a Retry-After inside the window", async () => {
    const guardian = guardianWith(RATE);
    const decisions = await inTurn(guardian, 4, { client: "203.0.113.1" });
    expect(outcomes(decisions)).toEqual(["allow", "allow", "allow", "limit"]);
    expect(decisions[2]?.counters[0]).toMatchObject({ used: 3, remaining: 0, limit: 3 });
    const refused = decisions[3];
    expect(refused?.kind).toBe("rate");
    expect(refused?.retryAfter).toBeGreaterThan(0);
    expect(refused?.retryAfter).toBeLessThanOrEqual(60);
  });

  it("keeps one counter per client", async () => {
    const guardian = guardianWith(RATE);
    await inTurn(guardian, 3, { client: "203.0.113.1" });
    expect((await guardian.evaluate({ client: "203.0.113.1" })).outcome).toBe("limit");
    expect((await guardian.evaluate({ client: "203.0.113.2" })).outcome).toBe("allow");
  });

  it("enforces every window of a rule", async () => {
    const guardian = guardianWith(TWO_WINDOWS);
    const decisions = await inTurn(guardian, 4, { client: "c" });
    expect(outcomes(decisions)).toEqual(["allow", "allow", "allow", "limit"]);
    expect(decisions[3]?.reason).toMatch(/hour/);
  });

  it("admits exactly the limit when calls arrive together", async () => {
    const guardian = guardianWith(RATE);
    const decisions = await Promise.all(Array.from({ length: 25 }, () => guardian.evaluate({ client: "crowd" })));
    expect(outcomes(decisions).filter((o) => o === "allow")).toHaveLength(3);
  });

  it("gives points back when a later rule refuses the call", async () => {
    const guardian = guardianWith(CLIENT_THEN_GLOBAL);
    await inTurn(guardian, 2, { client: "x" });
    expect((await guardian.evaluate({ client: "y" })).outcome).toBe("limit");
    const [perClient] = guardian.countersFor({ client: "y" }, ["per_client"]);
    expect(await guardian.store.peek(perClient?.key ?? "")).toMatchObject({ used: 0 });
    expect(outcomes(await inTurn(guardian, 4, { client: "y" }, ["per_client"]))).toEqual(["allow", "allow", "allow", "limit"]);
  });

  it("runs checks before counters: a refused check counts nothing", async () => {
    const guardian = guardianWith(CHECKS_BEFORE_COUNTERS);
    expect((await guardian.evaluate({ user: "mallory", route: "/admin/users" })).outcome).toBe("deny");
    expect((await guardian.evaluate({ user: "alice", route: "/admin/users" })).outcome).toBe("allow");
    expect((await guardian.evaluate({ user: "alice", route: "/admin/users" })).outcome).toBe("limit");
  });

  it("decides every check kind the same on this store", async () => {
    const guardian = guardianWith(EVERY_CHECK, { clock: () => JAN_31_NOON - 4 * 3_600_000, environment: "staging" });
    expect((await guardian.evaluate({ operation: "delete" })).outcome).toBe("confirm");
    expect((await guardian.evaluate({ operation: "delete", confirm: true })).outcome).toBe("allow");
    expect((await guardian.evaluate({ resource: "reports" })).kind).toBe("time");
    expect((await guardian.evaluate({ resource: "migrations" })).kind).toBe("environment");
    expect((await guardian.evaluate({ resource: "migrations", environment: "production" })).kind).toBe("facts");
    expect((await guardian.evaluate({ resource: "migrations", environment: "production", facts: { backup_verified: true } })).outcome).toBe(
      "allow",
    );
    expect((await guardian.evaluate({ feature: "beta_export" })).kind).toBe("feature");
  });

  it("charges budgets in millionths: a hundred 0.1 charges fill a budget of 10 exactly", async () => {
    const guardian = guardianWith(BUDGET, { clock: () => JAN_31_NOON });
    const decisions = await inTurn(guardian, 101, { resource: "openai", cost: 0.1 });
    expect(outcomes(decisions.slice(0, 100)).every((o) => o !== "limit")).toBe(true);
    expect(decisions[99]?.counters[0]).toMatchObject({ used: 10, remaining: 0 });
    expect(decisions[100]).toMatchObject({ outcome: "limit", kind: "budget" });
  });

  it("warns from the threshold and blocks at the budget", async () => {
    const guardian = guardianWith(BUDGET, { clock: () => JAN_31_NOON });
    const decisions = await inTurn(guardian, 11, { resource: "openai", cost: 1 });
    expect(outcomes(decisions)).toEqual(["allow", "allow", "allow", "allow", "allow", "allow", "allow", "warn", "warn", "warn", "limit"]);
    expect(decisions[7]?.warnings[0]?.kind).toBe("budget");
  });

  it("reserves the estimate, then settles to the actual cost", async () => {
    const guardian = guardianWith(BUDGET, { clock: () => JAN_31_NOON });
    const reserved = await guardian.check("spend", { resource: "openai", cost: 4 });
    expect(reserved.counters[0]?.used).toBe(4);
    await reserved.settle(1.5);
    const grown = await guardian.check("spend", { resource: "openai", cost: 2 });
    expect(grown.counters[0]?.used).toBe(3.5);
    await grown.settle(5);
    const next = await guardian.check("spend", { resource: "openai", cost: 1 });
    expect(next.counters[0]?.used).toBe(7.5);
  });

  it("starts a new budget at the calendar period boundary of the rule's time zone", async () => {
    let now = Date.UTC(2025, 0, 31, 22, 59);
    const guardian = guardianWith(BERLIN_BUDGET, { clock: () => now });
    expect((await guardian.evaluate({ resource: "openai", cost: 1 })).outcome).toBe("allow");
    const spent = await guardian.evaluate({ resource: "openai", cost: 0.5 });
    expect(spent.outcome).toBe("limit");
    expect(spent.retryAfter).toBe(60);
    now = Date.UTC(2025, 0, 31, 23, 0);
    expect((await guardian.evaluate({ resource: "openai", cost: 1 })).outcome).toBe("allow");
  });

  it("keeps a monthly budget for the whole month, longer than a 32-bit timer can wait", async () => {
    const guardian = guardianWith(BERLIN_BUDGET, { clock: () => Date.UTC(2025, 0, 31, 23, 0) });
    expect((await guardian.evaluate({ resource: "openai", cost: 1 })).outcome).toBe("allow");
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await guardian.evaluate({ resource: "openai", cost: 0.5 })).outcome).toBe("limit");
  });

  it("blocks nothing in shadow mode, reports what strict mode would do, and counts as strict mode would", async () => {
    const guardian = guardianWith(SHADOW);
    const decisions = await inTurn(guardian, 3, { client: "c" });
    expect(outcomes(decisions)).toEqual(["allow", "warn", "warn"]);
    expect(decisions.map((d) => d.wouldBe)).toEqual([undefined, "limit", "limit"]);
    const [counter] = guardian.countersFor({ client: "c" });
    expect((await guardian.store.peek(counter?.key ?? ""))?.used).toBe(1);
  });

  it("claims a token once, even when claims arrive together", async () => {
    const store = makeStore();
    const claims = await Promise.all(Array.from({ length: 20 }, () => store.claimOnce("confirm:token-1", 60_000)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await store.claimOnce("confirm:token-1", 60_000)).toBe(false);
    expect(await store.claimOnce("confirm:token-2", 60_000)).toBe(true);
  });

  it("keeps a text for its time, long texts too, and answers undefined for none or after its time", async () => {
    const store = makeStore();
    expect(store.putText).toBeTypeOf("function");
    const long = JSON.stringify({ keys: Array.from({ length: 12 }, (_, i) => `hexarch:b${i}:${"u".repeat(1000)}`) });
    await store.putText?.("reservation:kept", long, 60_000);
    await store.putText?.("reservation:brief", "soon gone", 50);
    expect(await store.getText?.("reservation:kept")).toBe(long);
    expect(await store.getText?.("reservation:none")).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(await store.getText?.("reservation:brief")).toBeUndefined();
    expect(await store.getText?.("reservation:kept")).toBe(long);
  });

  it("swaps a text only from the text expected, and of 20 swaps from one text at once exactly one wins", async () => {
    const store = makeStore();
    const swapText = store.swapText?.bind(store);
    if (swapText === undefined) throw new Error(`the ${store.name} store has no swapText`);
    const swap = (expected: string | undefined, next: string) => swapText("approval:a1", expected, next, 60_000);
    expect(await swap("pending", "approved")).toBe(false);
    expect(await store.getText?.("approval:a1")).toBeUndefined();
    expect(await swap(undefined, "pending")).toBe(true);
    expect(await swap(undefined, "pending again")).toBe(false);
    expect(await swap("pending", "approved")).toBe(true);
    const wins = await Promise.all(Array.from({ length: 20 }, (_, i) => swap("approved", `used by ${i}`)));
    expect(wins.filter(Boolean)).toHaveLength(1);
    const winner = wins.indexOf(true);
    expect(await store.getText?.("approval:a1")).toBe(`used by ${winner}`);
    expect(await swap("approved", "used twice")).toBe(false);
  });

  it("a swapped text lives for its own time, and a text past its time counts as none", async () => {
    const store = makeStore();
    await store.putText?.("approval:brief", "pending", 50);
    expect(await store.swapText?.("approval:brief", "pending", "approved", 50)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(await store.getText?.("approval:brief")).toBeUndefined();
    expect(await store.swapText?.("approval:brief", "approved", "used", 60_000)).toBe(false);
    expect(await store.swapText?.("approval:brief", undefined, "fresh", 60_000)).toBe(true);
  });

  it("reads, sets and refunds counters without touching others", async () => {
    const store = makeStore();
    expect(await store.peek("a")).toBeUndefined();
    await store.set("a", 7, 60_000);
    const [b] = await store.consume([{ key: "b", points: 2, windowMs: 60_000 }]);
    expect(b?.used).toBe(2);
    await store.refund([{ key: "a", points: 3, windowMs: 60_000 }]);
    const a = await store.peek("a");
    expect(a?.used).toBe(4);
    expect(a?.resetAt).toBeGreaterThan(Date.now());
    expect((await store.peek("b"))?.used).toBe(2);
  });

  it("a refund finding no counter (its window over) leaves none below zero: the next window counts from 0", async () => {
    const store = makeStore();
    await store.refund([{ key: "gone", points: 3, windowMs: 60_000 }]);
    expect((await store.peek("gone"))?.used ?? 0).toBe(0);
    const [next] = await store.consume([{ key: "gone", points: 1, windowMs: 60_000 }]);
    expect(next?.used).toBe(1);
    await store.set("partly", 2, 60_000);
    await store.refund([{ key: "partly", points: 5, windowMs: 60_000 }]);
    expect((await store.peek("partly"))?.used ?? 0).toBe(0);
  });

  it("returns one reading per op, in order, from one consume", async () => {
    const store = makeStore();
    await store.set("second", 10, 60_000);
    const readings = await store.consume([
      { key: "first", points: 1, windowMs: 60_000 },
      { key: "second", points: 5, windowMs: 60_000 },
      { key: "third", points: 2_500_000, windowMs: 3_600_000 },
    ]);
    expect(readings.map((r) => r.used)).toEqual([1, 15, 2_500_000]);
  });
}
