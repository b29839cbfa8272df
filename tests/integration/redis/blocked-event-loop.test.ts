// A blocked event loop against a healthy Redis: late timers are no evidence of a slow Redis, so nothing pauses.
import { setTimeout as sleep } from "node:timers/promises";
import { expect, it } from "vitest";
import { createGuardian, RedisStore, type Decision } from "../../../src/index.js";
import { describeWithRedis, suiteRedisClient, uniquePrefix } from "../../support/redis.js";

const TIMEOUT_MS = 100;
const BLOCK_MS = 3 * TIMEOUT_MS;

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
  readonly startedAt: number;
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
      const call: Call = { startedAt: performance.now() };
      calls.push(call);
      void guardian.check("spend", {}).then((decision) => void (call.decision = decision));
    };
    let block: { endedAt: number; inFlight: number } | undefined;
    // Blocks once, at a moment when calls are in flight (a local Redis may have answered a whole wave already).
    const blockNow = (): void => {
      const inFlight = calls.filter((c) => c.decision === undefined).length;
      if (block !== undefined || inFlight === 0) return;
      blockFor(BLOCK_MS);
      block = { endedAt: performance.now(), inFlight };
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

    expect(block).toBeDefined();
    const { endedAt, inFlight } = block ?? { endedAt: Number.NaN, inFlight: 0 };
    const failed = calls.filter((c) => c.decision?.outcome !== "allow");
    const failedAfter = failed.filter((c) => c.startedAt >= endedAt);
    expect(failed.length).toBeLessThanOrEqual(inFlight);
    expect(failedAfter.map((c) => c.decision?.reason)).toEqual([]);
  });
});
