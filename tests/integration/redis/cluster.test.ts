// The store contract once more on a Redis Cluster of three masters made by this test.
import type { Cluster } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createGuardian, RedisStore } from "../../../src/index.js";
import { algorithmContract } from "../../contract/stores/algorithm-contract.js";
import { storeContract } from "../../contract/stores/contract.js";
import { connectCluster, describeWithRedis, startRedisCluster, uniquePrefix } from "../../support/redis.js";

const TWO_POLICIES = `
policies:
  - id: per_client
    rules:
      - requests_per_minute: 5
  - id: everyone
    rules:
      - requests_per_minute: 50
        key: global
`;

describeWithRedis("store contract: RedisStore on Redis Cluster", "own-server", () => {
  let cluster: Cluster;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    const made = await startRedisCluster();
    stop = made.stop;
    cluster = await connectCluster(made.nodes);
  });

  afterAll(async () => {
    cluster.disconnect();
    await stop?.();
  });

  storeContract(() => new RedisStore({ client: cluster, prefix: uniquePrefix("cluster") }));
  algorithmContract(
    (clock) => new RedisStore({ client: cluster, prefix: uniquePrefix("cluster-algorithms"), time: clock === undefined ? "redis" : "app" }),
    false,
  );

  it("keeps every key of one decision under its documented name in one hash slot", async () => {
    const prefix = uniquePrefix("slots");
    const guardian = createGuardian({ policyText: TWO_POLICIES, env: {}, store: new RedisStore({ client: cluster, prefix }) });
    expect((await guardian.evaluate({ client: "203.0.113.5" })).outcome).toBe("allow");
    const keys = guardian.countersFor({ client: "203.0.113.5" }).map((slot) => `{${prefix}}:${slot.key}`);
    expect(keys).toHaveLength(2);
    const slots = await Promise.all(keys.map((key) => cluster.cluster("KEYSLOT", key)));
    expect(new Set(slots).size).toBe(1);
    const stored = await Promise.all(keys.map(async (key) => (await cluster.exists(key)) === 1));
    expect(stored).toEqual([true, true]);
  });
});
