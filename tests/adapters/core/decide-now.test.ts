// guardian.decideNow(): the adapters' hot path answers without a promise on a synchronous store, as evaluate()/check() would.
import { describe, expect, it } from "vitest";
import { createGuardian } from "../../../src/guardian/create-guardian.js";
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

describe("guardian.decideNow", () => {
  it("returns the Decision itself on the memory store and counts like evaluate()", () => {
    const guardian = createGuardian({ policyText: POLICIES });
    const outcomes = [1, 2, 3].map(() => {
      const decided = guardian.decideNow({ client: "a", operation: "read" });
      expect(decided).toBeInstanceOf(Decision);
      return (decided as Decision).outcome;
    });
    expect(outcomes).toEqual(["allow", "allow", "limit"]);
  });

  it("decides only the named policies when ids are given", () => {
    const guardian = createGuardian({ policyText: POLICIES });
    const decided = guardian.decideNow({ client: "a", operation: "delete" }, ["confirm_deletes"]) as Decision;
    expect([decided.outcome, decided.policyId, decided.counters.length]).toEqual(["confirm", "confirm_deletes", 0]);
  });

  it("refuses an unknown policy id instead of deciding nothing", () => {
    const guardian = createGuardian({ policyText: POLICIES });
    expect(() => guardian.decideNow({ client: "a" }, ["confirm_delete"])).toThrow(PolicyConfigError);
    expect(() => guardian.decideNow({ client: "a" }, ["confirm_delete"])).toThrow(/use one of: two, confirm_deletes/);
  });

  it("returns a promise when the store only answers asynchronously", async () => {
    const guardian = createGuardian({ policyText: POLICIES, store: asyncOnly(new MemoryStore()) });
    const decided = guardian.decideNow({ client: "a" });
    expect(decided).toBeInstanceOf(Promise);
    expect((await decided).outcome).toBe("allow");
  });
});
