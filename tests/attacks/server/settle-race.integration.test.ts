// Settle attacks across two server instances sharing one Redis: one settle wins across both, keys and ttl hold on either.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithRedis, redisForTests, uniquePrefix } from "../../support/redis.js";
import { startTestServer, type TestServer } from "../../server/serve-support.js";
import { bearer, keyFor } from "./attack-support.js";

const policies = (prefix: string): string => `store:
  prefix: "${prefix}"
  timeout_ms: 5000
policies:
  - id: spend
    rules:
      - resource: openai
        daily_budget: 1000
        key: user
  - id: brief
    rules:
      - resource: brief
        daily_budget: 1000
        key: user
        reservation_ttl: 0.3
`;

describeWithRedis("settling across two instances on one Redis", "any", () => {
  let a: TestServer;
  let b: TestServer;
  let owner: string;
  let other: string;
  let release: () => Promise<void>;
  let users = 0;

  beforeAll(async () => {
    const redis = await redisForTests();
    release = redis.release;
    const env = { HEXARCH_REDIS_URL: redis.url, HEXARCH_SECRET: "shared-secret-of-the-race-attacks-42" };
    const text = policies(uniquePrefix("settle-race"));
    a = await startTestServer(text, { env, callerLimit: 0 });
    owner = keyFor(a, "owner", "decide");
    other = keyFor(a, "other", "decide");
    // The second instance reads the same keys, as instances sharing one keys file (or a copy of it) do.
    b = await startTestServer(
      text,
      { env, callerLimit: 0 },
      { "hexarch.keys.json": readFileSync(join(a.dir, "hexarch.keys.json"), "utf8") },
    );
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await release?.();
  });

  const user = (): string => `u${(users += 1)}`;
  const used = async (name: string, policy = "spend", resource = "openai"): Promise<number> =>
    (await b.post("/v1/decisions", { policy, context: { resource, user: name, cost: 0 }, dry_run: true }, bearer(owner))).body.counters[0]
      .used as number;

  it("settles a decision made on one instance exactly once when both are sent settles at once", async () => {
    const name = user();
    const decided = await a.post("/v1/decisions", { policy: "spend", context: { resource: "openai", user: name, cost: 6 } }, bearer(owner));
    const id = decided.body.id as string;
    expect(id.length).toBeLessThanOrEqual(41);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).post(`/v1/decisions/${id}/settle`, { cost: 1 }, bearer(owner))),
    );
    expect(answers.filter((answer) => answer.status === 200 && answer.body.settled === true)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 409)).toHaveLength(19);
    expect(await used(name)).toBeCloseTo(1);
  });

  it("refuses another key's settle on the other instance too", async () => {
    const name = user();
    const decided = await a.post("/v1/decisions", { policy: "spend", context: { resource: "openai", user: name, cost: 6 } }, bearer(owner));
    const stolen = await b.post(`/v1/decisions/${decided.body.id}/settle`, { cost: 0 }, bearer(other));
    expect(stolen.status).toBe(403);
    expect(await used(name)).toBeCloseTo(6);
  });

  it("ignores a settle on the other instance once reservation_ttl has passed", async () => {
    const name = user();
    const decided = await a.post("/v1/decisions", { policy: "brief", context: { resource: "brief", user: name, cost: 6 } }, bearer(owner));
    await sleep(400);
    const late = await b.post(`/v1/decisions/${decided.body.id}/settle`, { cost: 0 }, bearer(owner));
    expect(late.body).toMatchObject({ settled: false, result: "expired" });
    expect(await used(name, "brief", "brief")).toBeCloseTo(6);
  });
});
