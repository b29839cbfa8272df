// The amount contract: huge, negative or unreadable costs and settlements leave every store's budget exact.
import fc from "fast-check";
import { expect, it } from "vitest";
import { toMicros } from "../../../src/engine/amount.js";
import { createGuardian, type CounterStore, type Decision, type Guardian } from "../../../src/index.js";
import type { StoreFactory } from "./contract.js";

const TEN_A_MONTH = (fail: "open" | "closed"): string => `
policies:
  - id: spend
    fail: ${fail}
    rules:
      - resource: openai
        monthly_budget: 10
`;

const JAN_31_NOON = Date.UTC(2025, 0, 31, 12, 0);
/** The largest whole number a JavaScript number (and so a reading) holds exactly. */
const EXACT = Number.MAX_SAFE_INTEGER;

/** What the spend budget's counter holds now, read through the store (0 when it does not exist). */
async function spent(guardian: Guardian): Promise<number> {
  const [slot] = guardian.countersFor({ resource: "openai" }, ["spend"]);
  return (await guardian.store.peek(slot?.key ?? ""))?.used ?? 0;
}

async function spend(guardian: Guardian, times: number, cost: number): Promise<Decision[]> {
  const decisions: Decision[] = [];
  for (let i = 0; i < times; i++) decisions.push(await guardian.check("spend", { resource: "openai", cost }));
  return decisions;
}

/** Costs and settlements as an attacker or a buggy caller would send them: at every bound, and ordinary ones. */
const anyAmount = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    -1,
    -1e-9,
    1e-7,
    0.000001,
    0.5,
    9.999999,
    10,
    10.000001,
    1e9,
    1e10,
    1e15,
    1e21,
    1e303,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
  ),
  fc.double({ min: 0, max: 12, noNaN: true }),
  fc.double({ noNaN: false }),
);

/** One step: a call with a cost estimate, or the settlement of the n-th call so far with an actual cost. */
const step = fc.oneof(
  fc.record({ kind: fc.constant("check" as const), cost: anyAmount }),
  fc.record({ kind: fc.constant("settle" as const), call: fc.nat(), actual: anyAmount }),
);

/** Defines the amount tests inside the caller's `describe`, each on a fresh store from `makeStore`. */
export function amountContract(makeStore: StoreFactory): void {
  const guardianWith = (fail: "open" | "closed" = "open"): Guardian =>
    createGuardian({ policyText: TEN_A_MONTH(fail), store: makeStore(() => JAN_31_NOON), clock: () => JAN_31_NOON, env: {} });

  it("does not let a huge estimate reset a spent budget", async () => {
    const guardian = guardianWith();
    await spend(guardian, 9, 1);
    for (const huge of [1e15, 1e303]) {
      const refused = await guardian.check("spend", { resource: "openai", cost: huge });
      expect(refused).toMatchObject({ outcome: "limit", kind: "budget" });
    }
    expect(await spent(guardian)).toBe(9_000_000);
    expect((await spend(guardian, 3, 1)).map((d) => d.outcome)).toEqual(["allow", "limit", "limit"]);
    expect(await spent(guardian)).toBe(10_000_000);
  });

  it("does not report a cost larger than the budget as a store failure, nor let it lock the budget", async () => {
    for (const fail of ["closed", "open"] as const) {
      const guardian = guardianWith(fail);
      const refused = await guardian.check("spend", { resource: "openai", cost: 1e10 });
      expect(refused).toMatchObject({ outcome: "limit", kind: "budget" });
      expect(refused.reason).toMatch(/more than the whole monthly budget of 10/);
      expect(await spent(guardian)).toBe(0);
      expect((await spend(guardian, 11, 1)).map((d) => d.outcome)).toEqual([...Array<string>(10).fill("allow"), "limit"]);
    }
  });

  it("does not let a huge or unreadable settle poison a budget", async () => {
    const guardian = guardianWith();
    const [reserved] = await spend(guardian, 1, 2);
    for (const bad of [1e303, 1e15, Number.NaN, -1, Number.POSITIVE_INFINITY]) {
      await expect(reserved?.settle(bad)).rejects.toThrow(RangeError);
    }
    expect(await spent(guardian)).toBe(2_000_000);
    await reserved?.settle(3);
    expect(await spent(guardian)).toBe(3_000_000);
  });

  it("does not let points beyond the bound reach a counter", async () => {
    const store: CounterStore = makeStore();
    for (const points of [1e16, 1e21, -1, 0.5, Number.NaN]) {
      await expect(store.consume([{ key: "k", points, windowMs: 60_000 }])).rejects.toThrow(RangeError);
      await expect(store.refund([{ key: "k", points, windowMs: 60_000 }])).rejects.toThrow(RangeError);
    }
    expect(await store.peek("k")).toBeUndefined();
  });

  it("keeps a budget exact under random costs and settlements: nothing admitted past it, nothing negative or NaN", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
        const guardian = guardianWith();
        const admitted: { decision: Decision; micros: number; settled: boolean }[] = [];
        for (const s of steps) {
          if (s.kind === "check") {
            const decision = await guardian.check("spend", { resource: "openai", cost: s.cost });
            if (!decision.isAllowed()) continue;
            expect(decision.counters[0]?.used, `admitted ${s.cost}`).toBeLessThanOrEqual(10);
            admitted.push({ decision, micros: toMicros(s.cost), settled: false });
            continue;
          }
          const call = admitted[s.call % Math.max(admitted.length, 1)];
          if (call === undefined) continue;
          const valid = s.actual >= 0 && s.actual <= 1e9;
          const settling = call.decision.settle(s.actual);
          if (!valid) {
            await expect(settling).rejects.toThrow(RangeError);
            continue;
          }
          await settling;
          if (!call.settled) call.micros = toMicros(s.actual);
          call.settled = true;
        }
        const used = await spent(guardian);
        expect(Number.isSafeInteger(used) && used >= 0, `counter ${used}`).toBe(true);
        expect(used).toBe(admitted.reduce((sum, call) => sum + call.micros, 0));
        await guardian.close();
      }),
      { numRuns: 30 },
    );
  });

  it("does not let a counter grow past what a number holds exactly", async () => {
    const store: CounterStore = makeStore();
    await store.set("full", EXACT - 5, 60_000);
    const [reading] = await store.consume([{ key: "full", points: 1e15, windowMs: 60_000 }]);
    expect(reading?.used).toBe(EXACT);
    expect((await store.peek("full"))?.used).toBe(EXACT);
  });
}
