// A blocked event loop against a healthy Redis: late timers are no evidence of a slow Redis, so nothing pauses.
import { setTimeout as sleep } from "node:timers/promises";
import { expect, it } from "vitest";
import { createGuardian, RedisStore, type Decision } from "../../../src/index.js";
import { describeWithRedis, suiteRedisClient, uniquePrefix } from "../../support/redis.js";

const TIMEOUT_MS = 100;
const BLOCK_MS = 3 * TIMEOUT_MS;

const OPEN_LIMIT = `
policies:
  - id: api
    fail: open
    rules:
      - requests_per_minute: 1000000
        key: global
`;

const BUDGET = `
policies:
  - id: spend
    fail: closed
    rules:
      - monthly_budget: 1000000
        key: global
`;

/** Keeps the CPU busy without yielding, as a slow synchronous handler does. */
function blockFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

interface Call {
  decision?: Decision;
}

describeWithRedis("RedisStore under a blocked event loop", "any", () => {
  const client = suiteRedisClient();

  it.each([
    ["in a callback of its own", false],
    ["in the same turn that sent the commands", true],
  ])("does not fail a burst on a healthy Redis when the event loop is blocked for 3 × timeoutMs %s", async (_name, sameTurn) => {
    const store = new RedisStore({ client: client(), prefix: uniquePrefix("blocked-loop"), timeoutMs: TIMEOUT_MS });
    const guardian = createGuardian({ policyText: BUDGET, env: {}, store });
    expect((await guardian.check("spend", {})).outcome).toBe("allow");
    const calls: Call[] = [];
    const send = (): void => {
      const call: Call = {};
      calls.push(call);
      void guardian.check("spend", {}).then((decision) => void (call.decision = decision));
    };
    let block: { inFlight: number } | undefined;
    // Blocks once, at a moment when calls are in flight (a local Redis may have answered a whole wave already).
    const blockNow = (): void => {
      const inFlight = calls.filter((c) => c.decision === undefined).length;
      if (block !== undefined || inFlight === 0) return;
      blockFor(BLOCK_MS);
      block = { inFlight };
    };
    for (let wave = 0; wave < 20; wave++) {
      for (let i = 0; i < 50; i++) send();
      if (wave >= 6) {
        if (sameTurn) blockNow();
        else setImmediate(blockNow);
      }
      await sleep(5);
    }
    while (calls.some((c) => c.decision === undefined)) await sleep(10);
    await guardian.close();

    expect(block?.inFlight).toBeGreaterThan(0);
    // Calls in flight across the block fail no more than those after it: the block is no evidence about Redis.
    expect(calls.filter((c) => c.decision?.outcome !== "allow").map((c) => c.decision?.reason)).toEqual([]);
  });

  it("does not admit calls in flight across a stall as store failures under fail: open when the deadline timer fired just before it", async () => {
    const store = new RedisStore({ client: client(), prefix: uniquePrefix("stall-open"), timeoutMs: TIMEOUT_MS });
    const guardian = createGuardian({ policyText: OPEN_LIMIT, env: {}, store });
    expect((await guardian.check("api", {})).outcome).toBe("allow");
    await sleep(TIMEOUT_MS + 50); // the store's deadline timer has fired and is idle
    // One call starts the store's deadline timer; two timers of the same duration run in the same timers phase as
    // it, one sending a burst, one blocking the loop before the burst's commands leave or their answers are read.
    const first = guardian.check("api", {});
    const burst: Promise<Decision>[] = [];
    setTimeout(() => {
      for (let i = 0; i < 40; i++) burst.push(guardian.check("api", {}));
    }, TIMEOUT_MS);
    setTimeout(() => blockFor(BLOCK_MS), TIMEOUT_MS);
    expect((await first).outcome).toBe("allow");
    while (burst.length === 0) await sleep(10);
    const decisions = await Promise.all(burst);
    await guardian.close();
    expect(decisions.map((d) => d.warnings[0]?.message ?? d.outcome)).toEqual(decisions.map(() => "allow"));
  });
});
