// ReservationBook on its own: a reservation the store cannot keep is released, and what the book keeps it finds again.
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { SETTLED_SUFFIX } from "../../src/engine/reservation.js";
import { createGuardian } from "../../src/guardian/create-guardian.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { DecisionIds, reservedBy } from "../../src/server/reservation-id.js";
import { ReservationBook } from "../../src/server/reservations.js";
import type { Caller } from "../../src/server/api-keys.js";
import type { CounterStore } from "../../src/stores/store.js";

const POLICIES = `policies:
  - id: spend
    rules:
      - resource: openai
        daily_budget: 10
  - id: brief
    rules:
      - resource: brief
        daily_budget: 10
        reservation_ttl: 0.2
`;
const APP: Caller = { id: "app00001", name: "app", scopes: ["decide"] };

/** A memory store whose putText fails, as a store that went down between the decision and keeping its reservation. */
class NoTextStore extends MemoryStore {
  override putText(): Promise<void> {
    return Promise.reject(new Error("store went away"));
  }
}

async function reserveOn(store: MemoryStore) {
  const guardian = createGuardian({ policyText: POLICIES, store, env: {}, decisionLog: false });
  const ctx = { resource: "openai", cost: 2 };
  const decision = await guardian.check("spend", ctx);
  const used = async () => (await guardian.check("spend", { resource: "openai", cost: 0 })).counters[0]?.used;
  return { decision, reserved: reservedBy(guardian, decision, ctx, ["spend"]), used };
}

/** What the `…:settled` counter beside a budget holds (what `hexarch budgets` shows as spent), in the budget's unit. */
async function spent(store: MemoryStore, reserved: ReturnType<typeof reservedBy>): Promise<number> {
  const key = `${reserved.ops[0]?.key ?? ""}${SETTLED_SUFFIX}`;
  return ((await store.peek(key))?.used ?? 0) / 1_000_000;
}

describe("ReservationBook", () => {
  it("counts a reservation settled before its reservation_ttl as spent once, at its actual cost", async () => {
    const store = new MemoryStore();
    const guardian = createGuardian({ policyText: POLICIES, store, env: {}, decisionLog: false });
    const ctx = { resource: "brief", cost: 2 };
    const decision = await guardian.check("brief", ctx);
    const reserved = reservedBy(guardian, decision, ctx, ["brief"]);
    const book = new ReservationBook(store, new DecisionIds("secret-of-the-book-test-0123456"));
    const id = await book.hold(APP, decision, reserved);
    const found = await book.find(id, APP);
    expect(found.kind).toBe("held");
    if (found.kind === "held") expect(await book.settle(found.held, 0.5)).toBe("settled");
    // Past the reservation_ttl and the engine's once-a-second look at it.
    await sleep(1300);
    expect(await spent(store, reserved)).toBeCloseTo(0.5);
    book.close();
  });

  it("counts a reservation never settled as spent once, at its estimate, when its reservation_ttl passes", async () => {
    const store = new MemoryStore();
    const guardian = createGuardian({ policyText: POLICIES, store, env: {}, decisionLog: false });
    const ctx = { resource: "brief", cost: 2 };
    const decision = await guardian.check("brief", ctx);
    const reserved = reservedBy(guardian, decision, ctx, ["brief"]);
    const book = new ReservationBook(store, new DecisionIds("secret-of-the-book-test-0123456"));
    const id = await book.hold(APP, decision, reserved);
    await sleep(1300);
    expect(await spent(store, reserved)).toBeCloseTo(2);
    expect((await book.find(id, APP)).kind).toBe("expired");
    book.close();
  });

  it("releases a reservation the store could not keep, and rejects, so no id is handed out that cannot settle", async () => {
    const store = new NoTextStore();
    const { decision, reserved, used } = await reserveOn(store);
    expect(await used()).toBeCloseTo(2);
    const book = new ReservationBook(store, new DecisionIds("secret-of-the-book-test-0123456"));
    await expect(book.hold(APP, decision, reserved)).rejects.toThrow("store went away");
    expect(await used()).toBeCloseTo(0);
  });

  it("refuses a store that cannot keep texts when the server starts, naming it", () => {
    const store = { name: "custom", claimOnce: async () => true } as unknown as CounterStore;
    expect(() => new ReservationBook(store, new DecisionIds("secret-of-the-book-test-0123456"))).toThrow(/custom store cannot keep/);
  });
});
