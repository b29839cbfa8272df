// Which connection RedisStore sends on: its own auto-pipelining duplicate of the app's client, or the client itself.
import { Redis } from "ioredis";
import { RateLimiterRedis } from "rate-limiter-flexible";
import { afterAll, beforeAll, expect, it } from "vitest";
import { RedisStore } from "../../../src/index.js";
import { connectRedis, describeWithRedis, eventually, RedisServer, uniquePrefix } from "../../support/redis.js";

const OP = { key: "hits", points: 1, windowMs: 60_000 } as const;

describeWithRedis("RedisStore connections", "own-server", () => {
  let server: RedisServer;
  let observer: Redis;
  let names = 0;

  beforeAll(async () => {
    server = await RedisServer.start();
    observer = await connectRedis(server.url);
  });

  afterAll(async () => {
    observer.disconnect();
    await server.kill();
  });

  /** An app's client under a name of its own, so CLIENT LIST tells its connections (and its duplicates') apart. */
  const appClient = async (options: { enableAutoPipelining?: boolean } = {}): Promise<{ client: Redis; name: string }> => {
    names += 1;
    const name = `app-${process.pid}-${names}`;
    const client = await connectRedis(server.url, { connectionName: name, ...options });
    return { client, name };
  };

  const connectionsNamed = async (name: string): Promise<number> => {
    const list = (await observer.call("CLIENT", "LIST")) as string;
    return list.split("\n").filter((line) => line.includes(` name=${name} `)).length;
  };

  const readsProcessed = async (): Promise<number> => Number(/total_reads_processed:(\d+)/.exec(await observer.info("stats"))?.[1]);

  it("a client without auto-pipelining: the store counts on one connection of its own, opened on first use", async () => {
    const { client, name } = await appClient();
    const store = new RedisStore({ client, prefix: uniquePrefix("own") });
    expect(await connectionsNamed(name)).toBe(1);
    expect((await store.consume([OP]))[0]?.used).toBe(1);
    expect(await connectionsNamed(name)).toBe(2);
    await store.close();
    await eventually(async () => (await connectionsNamed(name)) === 1, 100, 20);
    expect(client.status).toBe("ready");
    client.disconnect();
  });

  it("the store's own connection writes the commands of concurrent decisions together", async () => {
    const { client } = await appClient();
    const store = new RedisStore({ client, prefix: uniquePrefix("batch") });
    await store.consume([OP]);
    const before = await readsProcessed();
    const keys = Array.from({ length: 200 }, (_, i) => `k${i % 7}`);
    const readings = await Promise.all(keys.map((key) => store.consume([{ ...OP, key }])));
    const reads = (await readsProcessed()) - before;
    for (const key of new Set(keys)) {
      const used = readings.filter((_, i) => keys[i] === key).map((r) => r[0]?.used ?? 0);
      expect(used.sort((a, b) => a - b)).toEqual(Array.from({ length: used.length }, (_, i) => i + 1));
    }
    // 200 commands and the observer's INFO arrive in a handful of reads, not one read per command.
    expect(reads).toBeLessThan(20);
    await store.close();
    client.disconnect();
  });

  it("ends its own connection when the app's client ends, so the app can exit", async () => {
    const { client, name } = await appClient();
    const store = new RedisStore({ client, prefix: uniquePrefix("follow") });
    await store.consume([OP]);
    expect(await connectionsNamed(name)).toBe(2);
    await client.quit();
    await eventually(async () => (await connectionsNamed(name)) === 0, 100, 20);
    await expect(store.consume([OP])).rejects.toMatchObject({ code: "HEXARCH_REDIS_UNAVAILABLE" });
  });

  it.each([
    ["a client that already auto-pipelines", { enableAutoPipelining: true }, {}],
    ["autoPipelining: false", {}, { autoPipelining: false }],
  ] as const)("%s: the store sends on the app's client itself", async (_label, clientOptions, storeOptions) => {
    const { client, name } = await appClient(clientOptions);
    const store = new RedisStore({ client, prefix: uniquePrefix("same"), ...storeOptions });
    await store.consume([OP]);
    expect(await connectionsNamed(name)).toBe(1);
    await store.close();
    expect(client.status).toBe("ready");
    client.disconnect();
  });

  it("on the app's client, the store and a RateLimiterRedis of the app's count alike, whichever was made last", async () => {
    const { client } = await appClient({ enableAutoPipelining: true });
    const appLimiter = (): RateLimiterRedis =>
      new RateLimiterRedis({ storeClient: client, points: 3, duration: 60, keyPrefix: uniquePrefix("app-limiter") });
    /** Three points in two calls, each answer with its window's expiry, then a refusal. */
    const countsAsRateLimiterFlexibleDoes = async (limiter: RateLimiterRedis): Promise<void> => {
      expect((await limiter.consume("bob")).consumedPoints).toBe(1);
      const full = await limiter.consume("bob", 2);
      expect(full.consumedPoints).toBe(3);
      expect(full.msBeforeNext).toBeGreaterThan(58_000);
      await expect(limiter.consume("bob")).rejects.toMatchObject({ consumedPoints: 4 });
    };
    const storeCounts = async (store: RedisStore): Promise<void> => {
      const [first] = await store.consume([OP]);
      const [second] = await store.consume([OP]);
      expect([first?.used, second?.used]).toEqual([1, 2]);
      expect((second?.resetAt ?? 0) - Date.now()).toBeGreaterThan(58_000);
    };

    const madeBefore = appLimiter();
    const stores = [
      new RedisStore({ client, prefix: uniquePrefix("shared") }),
      new RedisStore({ client, prefix: uniquePrefix("shared") }),
    ] as const;
    await countsAsRateLimiterFlexibleDoes(madeBefore); // runs the stores' script, defined last
    await storeCounts(stores[0]);
    const madeAfter = appLimiter();
    await countsAsRateLimiterFlexibleDoes(madeAfter); // from here on all run rate-limiter-flexible's own script
    await storeCounts(stores[1]);
    await Promise.all(stores.map((store) => store.close()));
    client.disconnect();
  });
});
