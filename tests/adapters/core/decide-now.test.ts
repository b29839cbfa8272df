// Guardian.decideNow(), the decider port: the adapters' hot path answers without a promise on a synchronous store.
import { describe, expect, it } from "vitest";
import { createGuardian, type Guardian } from "../../../src/guardian/create-guardian.js";
import { createRemoteGuardian } from "../../../src/guardian/remote-guardian.js";
import { createHttpGuard, RequestLedger, type HttpRequestView } from "../../../src/adapters/core/index.js";
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

describe("Guardian.decideNow", () => {
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

  it("refuses an unknown policy id where an adapter is set up, instead of deciding nothing on every call", () => {
    const guardian = createGuardian({ policyText: POLICIES });
    const setUp = (): unknown => createHttpGuard({ guardian, policies: ["confirm_delete"], options: {} });
    expect(setUp).toThrow(PolicyConfigError);
    expect(setUp).toThrow(/use one of: two, confirm_deletes/);
  });

  it("returns a promise when the store only answers asynchronously", async () => {
    const guardian = createGuardian({ policyText: POLICIES, store: asyncOnly(new MemoryStore()) });
    const decided = guardian.decideNow({ client: "a" });
    expect(decided).toBeInstanceOf(Promise);
    expect((await decided).outcome).toBe("allow");
  });

  it("is how an adapter decides, for a Guardian that createGuardian did not make too", () => {
    const made = createGuardian({ policyText: POLICIES });
    const asked: (readonly string[] | undefined)[] = [];
    const double: Guardian = {
      ...made,
      decideNow: (context, policyIds) => {
        asked.push(policyIds);
        return made.decideNow(context, policyIds);
      },
    };
    const view: HttpRequestView = {
      method: "DELETE",
      url: "/users/7",
      clientAddress: "203.0.113.9",
      header: () => undefined,
      body: () => undefined,
    };
    const answer = createHttpGuard({ guardian: double, policies: ["two"], options: {} })({}, view, new RequestLedger());
    expect(answer).not.toBeInstanceOf(Promise);
    expect(asked).toEqual([["two"]]);
    expect((answer as { decision: Decision }).decision.outcome).toBe("allow");
  });

  it("is on the remote guardian too: a server's decision for the ids given, as check() would ask", async () => {
    const bodies: unknown[] = [];
    const answer = {
      id: "d1",
      outcome: "confirm",
      reason: "confirm it",
      kind: null,
      rule: null,
      retry_after: null,
      counters: [],
      warnings: [],
      would_be: null,
    };
    const remote = createRemoteGuardian({
      url: "http://decisions.test",
      fail: "closed",
      fetch: (async (_url: string, init: RequestInit) => {
        bodies.push(JSON.parse(init.body as string));
        return Response.json(answer);
      }) as typeof fetch,
    });
    const decided = remote.decideNow({ operation: "delete" }, ["confirm_deletes"]);
    expect(decided).toBeInstanceOf(Promise);
    expect((await decided).outcome).toBe("confirm");
    expect(bodies).toEqual([{ policy: "confirm_deletes", context: { operation: "delete" } }]);
  });
});
