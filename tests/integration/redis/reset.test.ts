// guardian.reset() on a real Redis: one partition by DEL, every partition by SCAN, other prefixes untouched.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { createGuardian, RedisStore, type Guardian } from "../../../src/index.js";
import { connectRedis, describeWithRedis, redisForTests, uniquePrefix } from "../../support/redis.js";

const POLICIES =
  "policies:\n  - id: api\n    rules:\n      - requests_per_minute: 1\n  - id: other\n    rules:\n      - requests_per_minute: 1\n";

describeWithRedis("guardian.reset on RedisStore", "any", () => {
  let client: Redis;
  let release: () => Promise<void>;
  let guardian: Guardian;

  beforeAll(async () => {
    const redis = await redisForTests();
    release = redis.release;
    client = await connectRedis(redis.url);
    guardian = createGuardian({ policyText: POLICIES, env: {}, store: new RedisStore({ client, prefix: uniquePrefix("reset") }) });
  });

  afterAll(async () => {
    await guardian.close();
    client.disconnect();
    await release();
  });

  it("clears one client, then every client of one policy", async () => {
    for (const c of ["a", "b"]) {
      await guardian.check("api", { client: c });
      await guardian.check("other", { client: c });
    }
    await guardian.reset("api", "a");
    expect((await guardian.check("api", { client: "a" })).outcome).toBe("allow");
    expect((await guardian.check("api", { client: "b" })).outcome).toBe("limit");
    await guardian.reset("api");
    expect((await guardian.check("api", { client: "b" })).outcome).toBe("allow");
    expect((await guardian.check("other", { client: "b" })).outcome).toBe("limit");
  });
});
