// Runs the store contract against RedisStore on one Redis server, each test under its own key prefix.
import { afterAll, beforeAll } from "vitest";
import type { Redis } from "ioredis";
import { RedisStore } from "../../../src/index.js";
import { connectRedis, describeWithRedis, redisForTests, uniquePrefix } from "../../support/redis.js";
import { amountContract } from "./amount-contract.js";
import { storeContract } from "./contract.js";

describeWithRedis("store contract: RedisStore", "any", () => {
  let client: Redis;
  let release: () => Promise<void>;

  beforeAll(async () => {
    const redis = await redisForTests();
    release = redis.release;
    client = await connectRedis(redis.url);
  });

  afterAll(async () => {
    client.disconnect();
    await release();
  });

  storeContract(() => new RedisStore({ client, prefix: uniquePrefix("contract") }));
  amountContract(() => new RedisStore({ client, prefix: uniquePrefix("amounts") }));
});
