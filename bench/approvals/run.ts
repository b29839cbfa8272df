// Click → admission on Redis: from a person's approve() on one instance to the waiting caller's admitted retry on another.
import { Redis } from "ioredis";
import { createGuardian, RedisStore } from "../../src/index.js";
import { APPROVE_DELETES } from "../../tests/support/approval-policy.js";

const url = process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379";
const ROUNDS = Number(process.env["ROUNDS"] ?? 200);

const client = new Redis(url, { maxRetriesPerRequest: 1 });
const prefix = `bench-approvals-${process.pid}`;
// The caller's instance and the approver's instance: two guardians, one Redis, as two processes would be.
const caller = createGuardian({ policyText: APPROVE_DELETES, store: new RedisStore({ client, prefix }) });
const approver = createGuardian({ policyText: APPROVE_DELETES, store: new RedisStore({ client, prefix }) });

const latencies: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const call = { operation: "delete", resource: `table-${round}` };
  const id = (await caller.check("prod_delete", call)).approval?.id ?? "";
  // The caller blocks on the request (guardian.approvals.wait polls the store) and retries the moment it is approved.
  const admitted = (async () => {
    await caller.approvals.wait(id, { timeoutMs: 10_000 });
    const decision = await caller.check("prod_delete", { ...call, approval: id });
    if (!decision.isAllowed()) throw new Error(`round ${round}: not admitted (${decision.reason})`);
    return performance.now();
  })();
  await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 100));
  const clicked = performance.now();
  await approver.approvals.approve(id, { by: "bench" });
  latencies.push((await admitted) - clicked);
}

latencies.sort((a, b) => a - b);
const at = (q: number): string => (latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)] as number).toFixed(1);
console.log(`click → admission on Redis, ${ROUNDS} requests: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`);
await caller.close();
await approver.close();
client.disconnect();
