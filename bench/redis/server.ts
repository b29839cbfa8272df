// One Redis benchmark server: bare Express, hexarch() on memory or on Redis, or a hand-written RateLimiterRedis middleware; prints its
// port, reports its CPU time.
import express, { type RequestHandler } from "express";
import { Redis } from "ioredis";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type * as ExpressAdapter from "../../src/adapters/express.js";
import type * as Package from "../../src/index.js";
import { BENCH_DIST } from "../http-load.js";
import { BENCH_POLICIES, BENCH_SECRET } from "../policies.js";

/** The package as users run it: the bundle built into BENCH_DIST, unless BENCH_SOURCE=1 asks for the TypeScript source. */
const fromSource = process.env["BENCH_SOURCE"] === "1";
const { hexarch } = (await import(fromSource ? "../../src/adapters/express.js" : `${BENCH_DIST}express.js`)) as typeof ExpressAdapter;
const { MemoryStore, RedisStore } = (await import(fromSource ? "../../src/index.js" : `${BENCH_DIST}index.js`)) as typeof Package;

/** The peer: what an app writes by hand with rate-limiter-flexible, one counter per client address. */
function peerMiddleware(client: Redis, prefix: string): RequestHandler {
  const limiter = new RateLimiterRedis({ storeClient: client, points: 1_000_000_000, duration: 60, keyPrefix: prefix });
  return function rateLimitByHand(req, res, next) {
    limiter.consume(req.ip ?? "unknown").then(
      () => next(),
      (refusal: unknown) => {
        if (!(refusal instanceof RateLimiterRes)) return next(refusal);
        res.setHeader("Retry-After", String(Math.ceil(refusal.msBeforeNext / 1000)));
        res.status(429).send("Too Many Requests");
      },
    );
  };
}

/**
 * Diagnostic: the least a limiter counting in Redis can do per request, one INCR per client (its first sets the
 * window) and the two fields hexarch writes; no policies, no limit check, no Lua script.
 */
function redisFloor(client: Redis, prefix: string): RequestHandler {
  return function countInRedis(req, res, next) {
    const key = `${prefix}:${req.socket.remoteAddress ?? ""}`;
    client.incr(key).then((used) => {
      if (used === 1) void client.pexpire(key, 60_000);
      res.setHeader("ratelimit-policy", '"rate_limit";q=1000000000;w=60');
      res.setHeader("ratelimit", `"rate_limit";r=${1_000_000_000 - used};t=60`);
      next();
    }, next);
  };
}

const [variant = "", redisUrl = "", prefix = "bench"] = process.argv.slice(2);
/** Both Redis variants get the same client; BENCH_AUTOPIPELINING=1 lets ioredis batch the commands of one event-loop turn. */
const redis = (): Redis => new Redis(redisUrl, { enableAutoPipelining: process.env["BENCH_AUTOPIPELINING"] === "1" });
const app = express();
app.disable("x-powered-by");
if (variant === "hexarch-memory") app.use(hexarch({ policyText: BENCH_POLICIES, secret: BENCH_SECRET, store: new MemoryStore() }));
else if (variant === "hexarch-redis")
  app.use(hexarch({ policyText: BENCH_POLICIES, secret: BENCH_SECRET, store: new RedisStore({ client: redis(), prefix }) }));
else if (variant === "hexarch-redis-as-is") {
  // Diagnostic: the store sends on the app's client as it is, without a connection of its own that auto-pipelines.
  app.use(
    hexarch({
      policyText: BENCH_POLICIES,
      secret: BENCH_SECRET,
      store: new RedisStore({ client: redis(), prefix, autoPipelining: false }),
    }),
  );
} else if (variant === "peer-redis") app.use(peerMiddleware(redis(), prefix));
else if (variant === "floor-redis") app.use(redisFloor(redis(), prefix));
else if (variant !== "bare") throw new Error(`unknown variant ${variant}`);
app.get("/items", (_req, res) => void res.json({ items: [1, 2, 3] }));
app.get("/cpu", (_req, res) => {
  const used = process.cpuUsage();
  res.json({ micros: used.user + used.system });
});
const server = app.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(`PORT ${typeof address === "object" && address !== null ? address.port : 0}`);
});
