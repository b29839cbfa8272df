// One Redis benchmark server (a forked child that reports its port): bare Express, hexarch() on memory or Redis, or a RateLimiterRedis middleware.
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import express, { type RequestHandler } from "express";
import { Redis } from "ioredis";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { hexarch } from "../../src/adapters/express.js";
import { MemoryStore, RedisStore } from "../../src/index.js";

/** The Quick Start policies with the rate limit raised out of reach, so every request takes the full allow path. */
const QUICKSTART = readFileSync(new URL("../../tests/fixtures/seed/quickstart.yaml", import.meta.url), "utf8");
const BENCH_POLICIES = QUICKSTART.replace("requests_per_minute: 100\n", "requests_per_minute: 1000000000\n");
if (BENCH_POLICIES === QUICKSTART) throw new Error("quickstart.yaml no longer has requests_per_minute: 100");

const SECRET = "bench-secret-0123456789abcdef";

/** The peer: what an app writes by hand with rate-limiter-flexible, one limiter per client address. */
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

const [variant = "", redisUrl = "", prefix = "bench"] = process.argv.slice(2);
const app = express();
app.disable("x-powered-by");
const redis = (): Redis => new Redis(redisUrl);
if (variant === "hexarch-memory") app.use(hexarch({ policyText: BENCH_POLICIES, secret: SECRET, store: new MemoryStore() }));
else if (variant === "hexarch-redis") app.use(hexarch({ policyText: BENCH_POLICIES, secret: SECRET, store: new RedisStore({ client: redis(), prefix }) }));
else if (variant === "peer-redis") app.use(peerMiddleware(redis(), prefix));
else if (variant !== "bare") throw new Error(`unknown variant ${variant}`);
app.get("/items", (_req, res) => void res.json({ items: [1, 2, 3] }));
const server = app.listen(0, "127.0.0.1", () => process.send?.({ port: (server.address() as AddressInfo).port }));
