// Budget alerts on the memory store: once per threshold, period and key; never a delay or a failure for the decision.
import { describe, expect, it } from "vitest";
import { createGuardian, MemoryStore, type CounterStore, type Notifier, type NotifyEvent } from "../../../src/index.js";

const POLICY = `
policies:
  - id: ai_spend
    rules:
      - resource: llm
        daily_budget: 10
        key: user
        action: "warn_at_80%"
`;

/** The instant of every call: 10 h into 7 December 2026. */
const DAY_ONE = Date.parse("2026-12-07T10:00:00Z");

/** A notifier that keeps what it is sent. */
function recorder(): Notifier & { events: NotifyEvent[] } {
  const events: NotifyEvent[] = [];
  return { events, send: (event) => void events.push(event), close: async () => {} };
}

/** Lets the claims and reads queued after the decisions run. */
const settleAlerts = () => new Promise((resolve) => setTimeout(resolve, 20));

const quiet = { info() {}, warn() {}, error() {} };

/** A memory store whose claimOnce is replaced. */
function withClaim(claimOnce: CounterStore["claimOnce"]): CounterStore {
  const memory = new MemoryStore({ clock: () => DAY_ONE });
  return {
    name: "claims-replaced",
    consume: (ops, now) => memory.consume(ops, now),
    refund: (ops, now) => memory.refund(ops, now),
    peek: (key, shape, now) => memory.peek(key, shape, now),
    set: (key, used, windowMs) => memory.set(key, used, windowMs),
    keysWithPrefix: (prefix) => memory.keysWithPrefix(prefix),
    claimOnce,
  };
}

function setup(options: { store?: CounterStore; clock?: () => number; notifier?: Notifier } = {}) {
  const notifier = options.notifier ?? recorder();
  const guardian = createGuardian({
    policyText: POLICY,
    env: {},
    logger: quiet,
    notifier,
    budgetsPageUrl: "https://hexarch.example.com/budgets",
    // The store reads budgets at the guardian's instant: a store on the wall clock would find DAY_ONE's counters gone.
    store: options.store ?? new MemoryStore({ clock: options.clock ?? (() => DAY_ONE) }),
    clock: options.clock ?? (() => DAY_ONE),
  });
  return { guardian, notifier };
}

describe("budget alerts", () => {
  it("sends one budget.warning when a key's budget crosses warn_at, however many calls follow", async () => {
    const events = recorder();
    const { guardian } = setup({ notifier: events });
    for (let i = 0; i < 7; i++) await guardian.check("ai_spend", { resource: "llm", user: "ada", cost: 1 });
    await settleAlerts();
    expect(events.events).toEqual([]);
    await guardian.check("ai_spend", { resource: "llm", user: "ada", cost: 1 });
    await settleAlerts();
    for (let i = 0; i < 2; i++) await guardian.check("ai_spend", { resource: "llm", user: "ada", cost: 1 });
    await settleAlerts();
    // Amounts as read when the alert went: 8 reserved (calls not settled yet), at 10 h into the day.
    expect(events.events).toEqual([
      {
        type: "budget.warning",
        policy: "ai_spend",
        rule: 0,
        window: "day",
        key: "ada",
        period: "2026-12-07",
        spent: 0,
        reserved: 8,
        limit: 10,
        projected: expect.closeTo(8 * (24 / 10), 5),
        warnAt: 0.8,
        periodEndsAt: "2026-12-08T00:00:00.000Z",
        page: "https://hexarch.example.com/budgets",
      },
    ]);
  });

  it("splits spent from reserved in the payload", async () => {
    const events = recorder();
    const { guardian } = setup({ notifier: events });
    const settled = await guardian.check("ai_spend", { resource: "llm", user: "eve", cost: 5 });
    await settled.settle(5);
    await guardian.check("ai_spend", { resource: "llm", user: "eve", cost: 4 });
    await settleAlerts();
    expect(events.events).toMatchObject([{ type: "budget.warning", key: "eve", spent: 5, reserved: 4 }]);
  });

  it("sends one budget.exhausted per key on the first refusal, and keys apart", async () => {
    const events = recorder();
    const { guardian } = setup({ notifier: events });
    for (const user of ["ada", "bob"]) {
      for (let i = 0; i < 13; i++) await guardian.check("ai_spend", { resource: "llm", user, cost: 1 });
    }
    await settleAlerts();
    expect(events.events.map((e) => [e.type, e.key])).toEqual([
      ["budget.warning", "ada"],
      ["budget.exhausted", "ada"],
      ["budget.warning", "bob"],
      ["budget.exhausted", "bob"],
    ]);
    expect(events.events[1]).toMatchObject({ spent: 0, reserved: 10, limit: 10 });
  });

  it("sends again in the next period", async () => {
    const events = recorder();
    let now = DAY_ONE;
    const { guardian } = setup({ notifier: events, clock: () => now });
    for (let i = 0; i < 9; i++) await guardian.check("ai_spend", { resource: "llm", user: "ada", cost: 1 });
    now += 86_400_000;
    for (let i = 0; i < 9; i++) await guardian.check("ai_spend", { resource: "llm", user: "ada", cost: 1 });
    await settleAlerts();
    expect(events.events.map((e) => [e.type, e.period])).toEqual([
      ["budget.warning", "2026-12-07"],
      ["budget.warning", "2026-12-08"],
    ]);
  });

  it("does not send again from a second guardian on the same store (a restart on a shared store)", async () => {
    const store = new MemoryStore({ clock: () => DAY_ONE });
    const first = setup({ store });
    for (let i = 0; i < 9; i++) await first.guardian.check("ai_spend", { resource: "llm", user: "ada", cost: 1 });
    const second = setup({ store });
    await second.guardian.check("ai_spend", { resource: "llm", user: "ada", cost: 0.5 });
    await settleAlerts();
    expect((first.notifier as ReturnType<typeof recorder>).events).toHaveLength(1);
    expect((second.notifier as ReturnType<typeof recorder>).events).toEqual([]);
  });
});

describe("budget alerts under attack", () => {
  it("a store that cannot claim sends no alert and leaves the decision as it was; a later call sends it", async () => {
    let down = true;
    const claims = new MemoryStore();
    const flaky = withClaim((key, ttlMs) => {
      if (down) throw new Error("claims are down");
      return claims.claimOnce(key, ttlMs);
    });
    const events = recorder();
    const { guardian } = setup({ store: flaky, notifier: events });
    const decisions = [];
    for (let i = 0; i < 9; i++) decisions.push(await guardian.check("ai_spend", { resource: "llm", user: "ada", cost: 1 }));
    await settleAlerts();
    expect(decisions.map((d) => d.outcome)).toEqual([...Array(7).fill("allow"), "warn", "warn"]);
    expect(events.events).toEqual([]);
    down = false;
    await guardian.check("ai_spend", { resource: "llm", user: "ada", cost: 0.5 });
    await settleAlerts();
    expect(events.events.map((e) => e.type)).toEqual(["budget.warning"]);
  });

  it("a notifier that throws changes no decision", async () => {
    const throwing: Notifier = {
      send: () => {
        throw new Error("notifier broke its promise");
      },
      close: async () => {},
    };
    const { guardian } = setup({ notifier: throwing });
    const outcomes = [];
    for (let i = 0; i < 12; i++) outcomes.push((await guardian.check("ai_spend", { resource: "llm", user: "ada", cost: 1 })).outcome);
    await settleAlerts();
    expect(outcomes).toEqual([...Array(7).fill("allow"), "warn", "warn", "warn", "limit", "limit"]);
  });

  it("a claim that never answers does not hold the decision", async () => {
    const hanging = withClaim(() => new Promise<boolean>(() => {}));
    const { guardian } = setup({ store: hanging });
    for (let i = 0; i < 8; i++) await guardian.check("ai_spend", { resource: "llm", user: "ada", cost: 1 });
    const past = await guardian.check("ai_spend", { resource: "llm", user: "ada", cost: 1 });
    expect(past.outcome).toBe("warn");
  });

  it("rejects a notifier without send or close, and a budgets page that is not an http(s) URL", () => {
    expect(() => createGuardian({ policyText: POLICY, env: {}, notifier: { send() {} } as unknown as Notifier })).toThrow(
      /createGuardian\(\)\.notifier: expected an object with send\(event\) and close\(\) methods/,
    );
    expect(() => createGuardian({ policyText: POLICY, env: {}, budgetsPageUrl: "javascript:alert(1)" })).toThrow(
      /createGuardian\(\)\.budgetsPageUrl/,
    );
  });
});
