// Runs the store contract against RedisStore on one Redis server, each test under its own key prefix.
import { RedisStore } from "../../../src/index.js";
import { describeWithRedis, suiteRedisClient, uniquePrefix } from "../../support/redis.js";
import { algorithmContract } from "./algorithm-contract.js";
import { algorithmProperties } from "./algorithm-properties.js";
import { amountContract } from "./amount-contract.js";
import { storeContract } from "./contract.js";

describeWithRedis("store contract: RedisStore", "any", () => {
  const client = suiteRedisClient();
  storeContract(() => new RedisStore({ client: client(), prefix: uniquePrefix("contract") }));
  amountContract(() => new RedisStore({ client: client(), prefix: uniquePrefix("amounts") }));
  algorithmContract(
    (clock) => new RedisStore({ client: client(), prefix: uniquePrefix("algorithms"), time: clock === undefined ? "redis" : "app" }),
    false,
  );
  algorithmProperties(
    (clock) => new RedisStore({ client: client(), prefix: uniquePrefix("properties"), time: clock === undefined ? "redis" : "app" }),
    25,
  );
});
