// Counts what one decision costs in Redis: round trips seen by the client, commands seen by MONITOR.
import { readFileSync } from "node:fs";
import express from "express";
import type { Redis } from "ioredis";
import request from "supertest";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { hexarch } from "../../../src/adapters/express.js";
import { createGuardian, RedisStore, type Guardian } from "../../../src/index.js";
import { CommandLog, connectRedis, countRoundTrips, describeWithRedis, redisForTests, uniquePrefix } from "../../support/redis.js";

const QUICKSTART = readFileSync(new URL("../../fixtures/seed/quickstart.yaml", import.meta.url), "utf8");

const FOUR_WINDOWS = `
policies:
  - id: tiers
    rules:
      - requests_per_second: 50
        requests_per_minute: 100
        requests_per_hour: 1000
        requests_per_day: 1
`;

/**
 * Round trips are counted on the connection the store sends on: a client that auto-pipelines (the store's default
 * sends on such a connection, its own or the app's), and a client used as it is with `autoPipelining: false`.
 */
const CONNECTIONS = [
  { name: "auto-pipelining", client: { enableAutoPipelining: true }, store: {} },
  { name: "one command per write (autoPipelining: false)", client: {}, store: { autoPipelining: false } },
] as const;

for (const connection of CONNECTIONS) {
  describeWithRedis(`Redis round trips per decision, on a client with ${connection.name}`, "any", () => {
    let client: Redis;
    let release: () => Promise<void>;
    let log: CommandLog;
    let trips: ReturnType<typeof countRoundTrips>;
    const prefix = uniquePrefix("trips");

    let store: RedisStore;
    let guardians = 0;
    /** One store for every test (its script is loaded once per connection); each guardian counts under its own keys. */
    const guardianWith = (policyText: string): Guardian => {
      guardians += 1;
      return createGuardian({ policyText, env: {}, store, prefix: `g${guardians}:` });
    };

    /** Runs `decide`, then returns the round trips it took and the names of the commands Redis ran for it. */
    const measure = async (decide: () => Promise<unknown>): Promise<{ roundTrips: number; commands: string[] }> => {
      await log.settled();
      log.clear();
      trips.reset();
      await decide();
      await log.settled();
      return { roundTrips: trips.count, commands: log.commands.map((args) => (args[0] ?? "").toLowerCase()) };
    };

    beforeAll(async () => {
      const redis = await redisForTests();
      release = redis.release;
      client = await connectRedis(redis.url, connection.client);
      log = await CommandLog.watch(redis.url, prefix);
      trips = countRoundTrips(client);
      store = new RedisStore({ client, prefix, ...connection.store });
      // Loads the counting script once, so EVALSHA never falls back to EVAL during a measurement.
      await guardianWith(QUICKSTART).evaluate({ client: "warm-up" });
    });

    afterAll(async () => {
      log.stop();
      client.disconnect();
      await release();
    });

    beforeEach(() => trips.reset());

    it("Quick Start, every policy applied to a GET: one round trip, one command", async () => {
      const guardian = guardianWith(QUICKSTART);
      const cost = await measure(() => guardian.evaluate({ method: "GET", operation: "read", route: "/items", client: "203.0.113.7" }));
      expect(cost).toEqual({ roundTrips: 1, commands: ["evalsha"] });
    });

    it("Quick Start api_budget for one OpenAI call: one round trip, one command", async () => {
      const guardian = guardianWith(QUICKSTART);
      const cost = await measure(() => guardian.check("api_budget", { resource: "openai", cost: 0.25 }));
      expect(cost).toEqual({ roundTrips: 1, commands: ["evalsha"] });
    });

    it("Quick Start safe_delete decides without Redis", async () => {
      const guardian = guardianWith(QUICKSTART);
      expect(await measure(() => guardian.check("safe_delete", { operation: "delete" }))).toEqual({ roundTrips: 0, commands: [] });
    });

    it("four windows in one rule: four commands in one round trip; a refusal adds one round trip to give them back", async () => {
      const guardian = guardianWith(FOUR_WINDOWS);
      expect(await measure(() => guardian.evaluate({ client: "c" }))).toEqual({
        roundTrips: 1,
        commands: ["evalsha", "evalsha", "evalsha", "evalsha"],
      });
      const refused = await measure(() => guardian.evaluate({ client: "c" }));
      expect(refused.roundTrips).toBe(2);
      expect(refused.commands).toHaveLength(8);
    });

    it("an Express request under the Quick Start policies costs one command", async () => {
      const app = express();
      app.use(hexarch({ guardian: guardianWith(QUICKSTART) }));
      app.get("/items", (_req, res) => {
        res.json([]);
      });
      await log.settled();
      log.clear();
      for (let i = 0; i < 5; i += 1) await request(app).get("/items").expect(200);
      await log.settled();
      expect(log.commands).toHaveLength(5);
    });
  });
}
