// sameTurnDecider(): the adapters' hot path answers without a promise on a synchronous store, as evaluate()/check() would.
import { describe, expect, it } from "vitest";
import { createGuardian, sameTurnDecider, type Guardian } from "../../../src/guardian/create-guardian.js";
import { Decision } from "../../../src/engine/decision.js";
import { PolicyConfigError } from "../../../src/errors/config-error.js";
import type { CounterStore } from "../../../src/stores/store.js";
import { MemoryStore } from "../../../src/stores/memory.js";

const POLICIES = `policies:
  - id: two
    rules:
      - requests_per_minute: 2
  - id: confirm_deletes
    rules:
      - operation: delete
        action: require_confirmation
`;

/** A MemoryStore seen only through the asynchronous half of the store contract. */
function asyncOnly(store: MemoryStore): CounterStore {
  return {
    name: "async",
    consume: (ops) => store.consume(ops),
    refund: (ops) => store.refund(ops),
    peek: (k) => store.peek(k),
    set: (k, u, w) => store.set(k, u, w),
    claimOnce: (k, t) => store.claimOnce(k, t),
  };
}

describe("sameTurnDecider", () => {
  it("returns the Decision itself on the memory store and counts like evaluate()", () => {
    const guardian = createGuardian({ policyText: POLICIES });
    const outcomes = [1, 2, 3].map(() => {
      const decided = sameTurnDecider(guardian)({ client: "a", operation: "read" });
      expect(decided).toBeInstanceOf(Decision);
      return (decided as Decision).outcome;
    });
    expect(outcomes).toEqual(["allow", "allow", "limit"]);
  });

  it("decides only the named policies when ids are given", () => {
    const guardian = createGuardian({ policyText: POLICIES });
    const decided = sameTurnDecider(guardian, ["confirm_deletes"])({ client: "a", operation: "delete" }) as Decision;
    expect([decided.outcome, decided.policyId, decided.counters.length]).toEqual(["confirm", "confirm_deletes", 0]);
  });

  it("refuses an unknown policy id when it is made, instead of deciding nothing on every call", () => {
    const guardian = createGuardian({ policyText: POLICIES });
    expect(() => sameTurnDecider(guardian, ["confirm_delete"])).toThrow(PolicyConfigError);
    expect(() => sameTurnDecider(guardian, ["confirm_delete"])).toThrow(/use one of: two, confirm_deletes/);
  });

  it("returns a promise when the store only answers asynchronously", async () => {
    const guardian = createGuardian({ policyText: POLICIES, store: asyncOnly(new MemoryStore()) });
    const decided = sameTurnDecider(guardian)({ client: "a" });
    expect(decided).toBeInstanceOf(Promise);
    expect((await decided).outcome).toBe("allow");
  });

  it("decides through check() and evaluate() for a Guardian that createGuardian did not make", async () => {
    const made = createGuardian({ policyText: POLICIES });
    const wrapped: Guardian = { ...made };
    const decided = sameTurnDecider(wrapped, ["confirm_deletes"])({ client: "a", operation: "delete" });
    expect(decided).toBeInstanceOf(Promise);
    expect((await decided).outcome).toBe("confirm");
    expect((await sameTurnDecider(wrapped)({ client: "a" })).outcome).toBe("allow");
  });

  it("is not part of the public Guardian", () => {
    expect(Object.keys(createGuardian({ policyText: POLICIES }))).not.toContain("decideNow");
  });
});
