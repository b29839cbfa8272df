// Redis outages mid-load: every decision answers within the bound, fail modes apply, enforcement resumes by itself.
import { setTimeout as sleep } from "node:timers/promises";
import express from "express";
import { Redis } from "ioredis";
import request from "supertest";
import { afterEach, beforeEach, expect, it } from "vitest";
import { hexarch } from "../../../src/adapters/express.js";
import { createGuardian, RedisStore, type Decision, type Guardian, type Logger } from "../../../src/index.js";
import { describeWithRedis, eventually, RedisServer, uniquePrefix } from "../../support/redis.js";

const TIMEOUT_MS = 100;
/** Far above TIMEOUT_MS, far below a hang: what "answered within the bound" allows, with room for a busy machine. */
const ANSWER_BOUND_MS = TIMEOUT_MS + 1_400;

const policy = (fail: "open" | "closed", limit = 100_000): string => `
policies:
  - id: api
    fail: ${fail}
    rules:
      - requests_per_minute: ${limit}
        key: global
`;

interface Answer {
  readonly ms: number;
  readonly decision?: Decision;
  readonly error?: unknown;
}

/** Sends a decision every few milliseconds while `scenario` runs, and returns every answer once all have come. */
async function underLoad(guardian: Guardian, scenario: () => Promise<void>): Promise<{ sent: number; answers: Answer[] }> {
  const answers: Answer[] = [];
  const pending = new Set<Promise<void>>();
  let sent = 0;
  let running = true;
  const load = (async () => {
    while (running) {
      const started = performance.now();
      sent += 1;
      const answered = guardian.check("api", { client: "load" }).then(
        (decision) => void answers.push({ ms: performance.now() - started, decision }),
        (error: unknown) => void answers.push({ ms: performance.now() - started, error }),
      );
      pending.add(answered);
      void answered.finally(() => pending.delete(answered));
      await sleep(3);
    }
  })();
  await scenario();
  running = false;
  await load;
  await Promise.all(pending);
  return { sent, answers };
}

describeWithRedis("Redis outages", "own-server", () => {
  let server: RedisServer;
  let client: Redis;
  let unhandled: unknown[];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);

  beforeEach(async () => {
    unhandled = [];
    process.on("unhandledRejection", onUnhandled);
    server = await RedisServer.start();
    // An app's client with ioredis defaults: offline queue on, 20 retries per request.
    client = new Redis(server.url);
    client.on("error", () => undefined);
    await eventually(async () => client.status === "ready");
  });

  afterEach(async () => {
    client.disconnect();
    await server.kill();
    process.removeListener("unhandledRejection", onUnhandled);
    expect(unhandled).toEqual([]);
  });

  const storeWith = (extra: { insurance?: boolean } = {}) =>
    new RedisStore({ client, prefix: uniquePrefix("outage"), timeoutMs: TIMEOUT_MS, ...extra });

  it("killed and restarted mid-load: every call answers in time, fail-closed errors during the outage, then counts again", async () => {
    const guardian = createGuardian({ policyText: policy("closed"), env: {}, store: storeWith() });
    const { sent, answers } = await underLoad(guardian, async () => {
      await sleep(200);
      await server.kill();
      await sleep(500);
      await server.restart();
      await eventually(async () => client.status === "ready");
      await sleep(200);
    });
    expect(answers).toHaveLength(sent);
    expect(answers.filter((a) => a.error !== undefined)).toEqual([]);
    expect(answers.filter((a) => a.ms > ANSWER_BOUND_MS)).toEqual([]);
    const outcomes = answers.map((a) => a.decision?.outcome);
    const firstError = outcomes.indexOf("error");
    expect(firstError).toBeGreaterThan(0);
    expect(outcomes.slice(0, firstError).every((o) => o === "allow")).toBe(true);
    expect(outcomes.slice(firstError).includes("allow")).toBe(true);
    expect(answers[firstError]?.decision).toMatchObject({ kind: "store", retryAfter: 5 });
    expect(outcomes.at(-1)).toBe("allow");
  });

  it("frozen (connection open, no answers): calls give up at the deadline; fail-open allows with a warning and a log line", async () => {
    const logged: string[] = [];
    const logger: Logger = { info() {}, warn() {}, error: (_object, message) => void logged.push(message) };
    const guardian = createGuardian({ policyText: policy("open"), env: {}, store: storeWith(), logger });
    expect((await guardian.check("api", {})).outcome).toBe("allow");
    server.pause();
    const { sent, answers } = await underLoad(guardian, () => sleep(400));
    server.resume();
    expect(answers).toHaveLength(sent);
    expect(answers.filter((a) => a.ms > ANSWER_BOUND_MS)).toEqual([]);
    for (const { decision } of answers) {
      expect(decision?.outcome).toBe("warn");
      expect(decision?.warnings[0]).toMatchObject({ kind: "store" });
      expect(decision?.warnings[0]?.message).toContain(`Redis did not answer within ${TIMEOUT_MS} ms`);
    }
    // After a timeout, commands pause for TIMEOUT_MS: most calls fail at once instead of waiting.
    expect(answers.filter((a) => a.decision?.warnings[0]?.message.includes("commands pause")).length).toBeGreaterThan(answers.length / 2);
    expect(logged.length).toBeGreaterThanOrEqual(answers.length);
    await eventually(async () => (await guardian.check("api", {})).outcome === "allow");
  });

  it("frozen under Express: a fail-closed route answers 503 with Retry-After and never runs the handler", async () => {
    let handled = 0;
    const app = express();
    app.use(hexarch({ policyText: policy("closed"), env: {}, store: storeWith() }));
    app.get("/work", (_req, res) => {
      handled += 1;
      res.send("done");
    });
    await request(app).get("/work").expect(200);
    server.pause();
    const refused = await request(app).get("/work");
    server.resume();
    expect(refused.status).toBe(503);
    expect(refused.headers["retry-after"]).toBe("5");
    expect(handled).toBe(1);
  });

  it("gives back points that reach Redis after their call gave up", async () => {
    const store = storeWith();
    await store.set("late", 5, 60_000);
    server.pause();
    const [consumed, claimed] = await Promise.allSettled([
      store.consume([{ key: "late", points: 3, windowMs: 60_000 }]),
      store.claimOnce("late-token", 60_000),
    ]);
    server.resume();
    expect(consumed).toMatchObject({ status: "rejected", reason: { code: "HEXARCH_REDIS_TIMEOUT" } });
    expect(claimed).toMatchObject({ status: "rejected", reason: { code: "HEXARCH_REDIS_TIMEOUT" } });
    await eventually(async () => (await store.peek("late"))?.used === 5 && (await store.claimOnce("late-token", 60_000)));
  });

  it("with insurance, limits hold in this process during the outage, and Redis takes over again afterwards", async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error & { code?: string }): void =>
      void (warning.code === "HEXARCH_REDIS_INSURANCE" && warnings.push(warning.message));
    process.on("warning", onWarning);
    try {
      const guardian = createGuardian({ policyText: policy("closed", 3), env: {}, store: storeWith({ insurance: true }) });
      expect((await guardian.check("api", {})).outcome).toBe("allow");
      await server.kill();
      const during = await Promise.all([1, 2, 3, 4].map(() => guardian.check("api", {})));
      expect(during.map((d) => d.outcome).sort()).toEqual(["allow", "allow", "allow", "limit"]);
      await server.restart();
      // Insurance has spent the limit, so the first call admitted again was counted by the restarted (empty) Redis.
      await eventually(async () => (await guardian.check("api", {})).outcome === "allow");
      const after = [];
      for (let i = 0; i < 3; i += 1) after.push((await guardian.check("api", {})).outcome);
      expect(after).toEqual(["allow", "allow", "limit"]);
      await eventually(async () => warnings.length > 0);
      expect(warnings).toHaveLength(1);
      // Whichever the client noticed first: the closed connection, or the silence before it.
      expect(warnings[0]).toMatch(
        /^Redis (is not connected \(client status "\w+"\)|did not answer within 100 ms); counting in this process/,
      );
    } finally {
      process.removeListener("warning", onWarning);
    }
  });

  it("down when the app starts: fails fast, then counts as soon as Redis comes up", async () => {
    await server.kill();
    const lazy = new Redis(server.url, { lazyConnect: true, enableOfflineQueue: false });
    lazy.on("error", () => undefined);
    try {
      const guardian = createGuardian({
        policyText: policy("closed"),
        env: {},
        store: new RedisStore({ client: lazy, prefix: uniquePrefix("startup"), timeoutMs: TIMEOUT_MS }),
      });
      expect((await guardian.check("api", {})).outcome).toBe("error");
      await server.restart();
      await eventually(async () => (await guardian.check("api", {})).outcome === "allow");
    } finally {
      lazy.disconnect();
    }
  });
});
