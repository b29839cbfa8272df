// Two guardians on one Redis: a request asked on one, approved through the other, admits one of 20 concurrent retries.
import { describe, expect, it } from "vitest";
import { createGuardian, MemoryStore, RedisStore, type CounterStore, type Guardian } from "../../../src/index.js";
import { describeWithRedis, suiteRedisClient, uniquePrefix } from "../../support/redis.js";
import { APPROVE_DELETES } from "../../support/approval-policy.js";

const DROP = { operation: "delete", resource: "users", client: "203.0.113.9" };

describeWithRedis("approvals across two instances on one Redis", "any", () => {
  const client = suiteRedisClient();

  function instances(): [Guardian, Guardian] {
    const prefix = uniquePrefix("approvals");
    const make = () => createGuardian({ policyText: APPROVE_DELETES, store: new RedisStore({ client: client(), prefix }) });
    return [make(), make()];
  }

  it("approved through the other instance, 20 concurrent retries across both admit exactly one", async () => {
    const [a, b] = instances();
    const asked = await a.check("prod_delete", DROP);
    const id = asked.approval?.id ?? "";
    expect((await b.check("prod_delete", DROP)).approval?.id).toBe(id);
    expect((await b.approvals.list()).map((r) => r.id)).toEqual([id]);
    await b.approvals.approve(id, { by: "ada" });
    const retries = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).check("prod_delete", { ...DROP, approval: id })),
    );
    expect(retries.filter((d) => d.isAllowed())).toHaveLength(1);
    expect(retries.filter((d) => d.approval?.rejected === "used")).toHaveLength(19);
    expect((await a.approvals.get(id))?.status).toBe("used");
  });

  it("two people deciding at once on two instances: one decision stands, the other is told it came too late", async () => {
    const [a, b] = instances();
    const id = (await a.check("prod_delete", DROP)).approval?.id ?? "";
    const results = await Promise.allSettled([a.approvals.approve(id, { by: "ada" }), b.approvals.deny(id, { by: "grace", reason: "no" })]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.find((r) => r.status === "rejected")).toMatchObject({ reason: { code: "HEXARCH_APPROVAL_DECIDED" } });
  });
});

describe("approvals on a store that cannot swap", () => {
  it("names the store and the fix the first time approvals are used", async () => {
    const store = new MemoryStore();
    const narrow: CounterStore = {
      name: "narrow",
      consume: (ops, now) => store.consume(ops, now),
      refund: (ops, now) => store.refund(ops, now),
      peek: (key, shape, now) => store.peek(key, shape, now),
      set: (key, used, windowMs, rate, now) => store.set(key, used, windowMs, rate, now),
      claimOnce: (key, ttlMs) => store.claimOnce(key, ttlMs),
    };
    const g = createGuardian({ policyText: APPROVE_DELETES, store: narrow });
    await expect(g.check("prod_delete", DROP)).rejects.toThrow(/the narrow store cannot keep approval requests/);
  });
});
