// One benchmark server: bare Express, Express + hexarch(), or Express + express-rate-limit; prints its port, reports its CPU time.
import express from "express";
import { rateLimit } from "express-rate-limit";
import type * as ExpressAdapter from "../../src/adapters/express.js";
import type * as Package from "../../src/index.js";
import { countAndTell, limiterCounter, mapCounter } from "../floor.js";
import { plainLog } from "../log/plain-log.js";
import { BENCH_DIST } from "../http-load.js";
import { BENCH_POLICIES, BENCH_SECRET } from "../policies.js";

/** The package as users run it: the bundle built into BENCH_DIST, unless BENCH_SOURCE=1 asks for the TypeScript source. */
const fromSource = process.env["BENCH_SOURCE"] === "1";
const { hexarch } = (await import(fromSource ? "../../src/adapters/express.js" : `${BENCH_DIST}express.js`)) as typeof ExpressAdapter;
const { createGuardian } = (await import(fromSource ? "../../src/index.js" : `${BENCH_DIST}index.js`)) as typeof Package;

const variant = process.argv[2];
const app = express();
app.disable("x-powered-by");
if (variant === "hexarch") app.use(hexarch({ policyText: BENCH_POLICIES, secret: BENCH_SECRET }));
// Every decision logged (bench/log/run.ts): to LOG_FILE, or to LOG_TABLE at LOG_URL.
else if (variant === "hexarch+file")
  app.use(
    hexarch({
      policyText: `${BENCH_POLICIES}\nlogging:\n  file: ${JSON.stringify(process.env["LOG_FILE"] ?? "")}\n`,
      secret: BENCH_SECRET,
    }),
  );
else if (variant === "hexarch+postgres") {
  const logging = `logging:\n  postgres_url: ${JSON.stringify(process.env["LOG_URL"] ?? "")}\n  postgres_table: ${process.env["LOG_TABLE"] ?? ""}\n`;
  app.use(hexarch({ policyText: `${BENCH_POLICIES}\n${logging}`, secret: BENCH_SECRET }));
} else if (variant === "plain+file" || variant === "plain+postgres") {
  // The floor of a decision log (bench/log/run.ts): hexarch() and one plain JSON line per decision.
  const log = plainLog(
    variant === "plain+file"
      ? { file: process.env["LOG_FILE"] ?? "" }
      : { url: process.env["LOG_URL"] ?? "", table: `${process.env["LOG_TABLE"] ?? ""}_plain` },
  );
  app.use(
    hexarch({
      policyText: BENCH_POLICIES,
      secret: BENCH_SECRET,
      // The fields a hexarch record has, without chain, sequence number or MAC.
      onDecision: (decision, req) =>
        log(
          JSON.stringify({
            time: new Date().toISOString(),
            outcome: decision.outcome,
            policy: decision.policyId,
            reason: decision.reason,
            counters: decision.counters.map((c) => ({
              policy: c.rule.policyId,
              kind: c.kind,
              window: c.window,
              used: c.used,
              limit: c.limit,
              remaining: c.remaining,
              partition: c.partition,
            })),
            warnings: decision.warnings.map((w) => w.message),
            context: { method: req.method, route: req.originalUrl, client: req.ip },
          }),
        ),
    }),
  );
} else if (variant === "express-rate-limit")
  app.use(rateLimit({ windowMs: 60_000, limit: 1_000_000_000, standardHeaders: "draft-8", legacyHeaders: false }));
else if (variant === "express-rate-limit-defaults") app.use(rateLimit({ windowMs: 60_000, limit: 1_000_000_000 }));
// Diagnostic variants (BENCH_VARIANTS): where the cost of a guard goes.
else if (variant === "floor" || variant === "floor-rlf") {
  const count = variant === "floor" ? mapCounter() : limiterCounter();
  app.use((req, res, next) => {
    countAndTell(count, req.socket.remoteAddress, res);
    next();
  });
} else if (variant === "bare+noop-middleware") app.use((_req, _res, next) => next());
else if (variant === "bare+2-headers") {
  app.use((_req, res, next) => {
    res.setHeader("ratelimit-policy", '"rate_limit";q=1000000000;w=60');
    res.setHeader("ratelimit", '"rate_limit";r=999999999;t=60');
    next();
  });
} else if (variant === "engine-only") {
  // The engine's decision alone, with the context hexarch() would build for this route.
  const guardian = createGuardian({ policyText: BENCH_POLICIES });
  app.use((req, _res, next) => {
    guardian
      .evaluate({ method: req.method, route: "/items", operation: "read", client: req.socket.remoteAddress ?? "" })
      .then(() => next(), next);
  });
} else if (variant === "hexarch-no-headers") app.use(hexarch({ policyText: BENCH_POLICIES, secret: BENCH_SECRET, headers: false }));
else if (variant !== "bare") throw new Error(`unknown variant ${variant}`);
app.get("/cpu", (_req, res) => {
  const { user, system } = process.cpuUsage();
  res.json({ micros: user + system });
});
app.get("/items", (_req, res) => {
  res.json({ items: [1, 2, 3] });
});
const server = app.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(`PORT ${typeof address === "object" && address !== null ? address.port : 0}`);
});
process.on("SIGTERM", () => process.exit(0));
