// Several Node processes sharing one Redis, hit at once: limits and budgets hold exactly across all of them.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createGuardian, RedisStore, type GuardContext } from "../../../src/index.js";
import { connectRedis, describeWithRedis, redisForTests, uniquePrefix } from "../../support/redis.js";
import type { WorkerJob, WorkerReport } from "./worker.js";

const WORKER = fileURLToPath(new URL("./worker.ts", import.meta.url));
const PROCESSES = 3;

const SHARED_LIMIT = `
policies:
  - id: shared
    rules:
      - requests_per_minute: 150
        key: global
`;

const PRICED_BUDGET = `
prices:
  gpt-4o: { input_per_mtok: 2.5, output_per_mtok: 10 }
policies:
  - id: spend
    rules:
      - resource: openai
        monthly_budget: 1
`;

const SHARED_BUDGET = `
policies:
  - id: spend
    rules:
      - resource: openai
        daily_budget: 10
`;

/** The worker's next message; rejects if it exits first. */
function once(child: ChildProcess): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const exited = (code: number | null): void => reject(new Error(`worker exited with ${String(code)} before answering`));
    child.once("exit", exited);
    child.once("message", (message) => {
      child.off("exit", exited);
      resolve(message);
    });
  });
}

/** The worker processes, started once for the whole file (each start costs a second or two of tsx). */
let pool: ChildProcess[] = [];

/** Sets the job up on the first `processes` workers, lets every one connect, then releases them together; returns all outcomes. */
async function hitTogether(
  job: Omit<WorkerJob, "url" | "prefix">,
  url: string,
  prefix: string,
  processes = PROCESSES,
  skews: readonly number[] = [],
): Promise<string[]> {
  const workers = pool.slice(0, processes);
  const ready = workers.map(once);
  workers.forEach((worker, i) => worker.send({ ...job, url, prefix, skewMs: skews[i] ?? 0 } satisfies WorkerJob));
  await Promise.all(ready);
  const reports = workers.map(once);
  for (const worker of workers) worker.send("go");
  return ((await Promise.all(reports)) as WorkerReport[]).flatMap((r) => r.outcomes);
}

describeWithRedis("several processes sharing one Redis", "any", () => {
  let url: string;
  let release: () => Promise<void>;
  let client: Redis;

  beforeAll(async () => {
    ({ url, release } = await redisForTests());
    client = await connectRedis(url);
    pool = Array.from({ length: PROCESSES }, () => fork(WORKER, { execArgv: ["--import", import.meta.resolve("tsx")], stdio: "inherit" }));
  });

  afterAll(async () => {
    for (const worker of pool) worker.kill();
    client.disconnect();
    await release();
  });

  /** The counter the given policy uses, read through a store of this process. */
  const counterUsed = async (policyText: string, prefix: string, context: GuardContext): Promise<number | undefined> => {
    const guardian = createGuardian({ policyText, env: {}, store: new RedisStore({ client, prefix }) });
    const [slot] = guardian.countersFor(context);
    return (await guardian.store.peek(slot?.key ?? ""))?.used;
  };

  it(`${PROCESSES} processes sending 300 calls at once against a limit of 150 admit exactly 150`, async () => {
    const prefix = uniquePrefix("multi-rate");
    const outcomes = await hitTogether(
      { policyText: SHARED_LIMIT, policyId: "shared", calls: 100, context: { client: "any" } },
      url,
      prefix,
    );
    expect(outcomes).toHaveLength(300);
    expect(outcomes.filter((o) => o === "allow")).toHaveLength(150);
    expect(outcomes.filter((o) => o === "limit")).toHaveLength(150);
    expect(await counterUsed(SHARED_LIMIT, prefix, {})).toBe(150);
  });

  // Each reservation is added and compared in one atomic step, and one that passes the budget is given back,
  // so spend never exceeds the budget: not even by one in-flight reservation. (Settling above the estimate
  // afterwards is the only way past the budget; these charges are reserved at their final cost.)
  it(`${PROCESSES} processes charging 0.25 each against a budget of 10 admit exactly 40 charges and spend exactly 10`, async () => {
    const prefix = uniquePrefix("multi-budget");
    const context = { resource: "openai", cost: 0.25 };
    const outcomes = await hitTogether({ policyText: SHARED_BUDGET, policyId: "spend", calls: 30, context }, url, prefix);
    expect(outcomes.filter((o) => o === "allow")).toHaveLength(40);
    expect(outcomes.filter((o) => o === "limit")).toHaveLength(50);
    expect(await counterUsed(SHARED_BUDGET, prefix, context)).toBe(10_000_000);
  });

  it("2 processes sending 10 priced calls each (0.0125: 1000 input + 1000 max output tokens of gpt-4o) against 0.05 remaining admit exactly 4", async () => {
    const prefix = uniquePrefix("multi-priced");
    const context = { resource: "openai", model: "gpt-4o", inputTokens: 1000, maxOutputTokens: 1000 };
    const guardian = createGuardian({ policyText: PRICED_BUDGET, env: {}, store: new RedisStore({ client, prefix }) });
    const [slot] = guardian.countersFor(context);
    await guardian.store.set(slot?.key ?? "", 950_000, slot?.windowMs ?? 60_000);
    const outcomes = await hitTogether({ policyText: PRICED_BUDGET, policyId: "spend", calls: 10, context }, url, prefix, 2);
    expect(outcomes).toHaveLength(20);
    expect(outcomes.filter((o) => o === "allow")).toHaveLength(4);
    expect(outcomes.filter((o) => o === "limit")).toHaveLength(16);
    expect(await counterUsed(PRICED_BUDGET, prefix, context)).toBe(1_000_000);
    expect(await guardian.store.peek(`${slot?.key ?? ""}:settled`)).toBeUndefined();
  });

  // Sliding windows and buckets count on Redis TIME, so processes whose clocks disagree by a minute share one timeline.
  for (const [algorithm, extra, admitted] of [
    ["fixed_window", "", 50],
    ["sliding_window", "", 50],
    ["token_bucket", "\n        burst: 20", 20],
  ] as const) {
    it(`${algorithm}: 2 processes, clocks 30 s fast and 30 s slow, 400 calls at once against 50 a minute admit exactly ${admitted}`, async () => {
      const policyText = `
policies:
  - id: shared
    rules:
      - requests_per_minute: 50
        key: global
        algorithm: ${algorithm}${extra}
`;
      const prefix = uniquePrefix(`multi-${algorithm}`);
      const started = Date.now();
      const outcomes = await hitTogether(
        { policyText, policyId: "shared", calls: 200, context: { client: "any" } },
        url,
        prefix,
        2,
        [30_000, -30_000],
      );
      expect(outcomes).toHaveLength(400);
      expect(outcomes.filter((o) => o === "allow")).toHaveLength(admitted);
      expect(outcomes.filter((o) => o === "limit")).toHaveLength(400 - admitted);
      const late = await hitTogether(
        { policyText, policyId: "shared", calls: 5, context: { client: "any" } },
        url,
        prefix,
        2,
        [-30_000, 30_000],
      );
      // The window holds the first 50 for a minute; the bucket refills 50 a minute meanwhile, and no faster.
      const refilled = algorithm === "token_bucket" ? Math.floor(((Date.now() - started) * 50) / 60_000) : 0;
      expect(late.filter((o) => o === "allow").length).toBeLessThanOrEqual(refilled);
    });
  }
});
