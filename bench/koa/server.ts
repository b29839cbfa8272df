// One benchmark server: bare Koa, or Koa + hexarch() with the Quick Start policies on the memory store (with or without
// the RateLimit headers); prints its port.
import Koa from "koa";
import type * as KoaAdapter from "../../src/adapters/koa.js";
import { limiterCounter, mapCounter } from "../floor.js";
import { BENCH_DIST } from "../http-load.js";
import { BENCH_POLICIES, BENCH_SECRET } from "../policies.js";
import { koaFloor } from "./floor.js";

/** The adapter as users run it: the built bundle, unless BENCH_SOURCE=1 asks for the TypeScript source. */
const adapterPath = process.env["BENCH_SOURCE"] === "1" ? "../../src/adapters/koa.js" : `${BENCH_DIST}koa.js`;
const { hexarch } = (await import(adapterPath)) as typeof KoaAdapter;

const variant = process.argv[2];
const app = new Koa();
if (variant === "hexarch") app.use(hexarch({ policyText: BENCH_POLICIES, secret: BENCH_SECRET }));
else if (variant === "hexarch-no-headers") app.use(hexarch({ policyText: BENCH_POLICIES, secret: BENCH_SECRET, headers: false }));
else if (variant === "floor" || variant === "floor-rlf") app.use(koaFloor(variant === "floor" ? mapCounter() : limiterCounter()));
else if (variant !== "bare") throw new Error(`unknown variant ${variant}`);
app.use((ctx) => {
  if (ctx.path === "/cpu") {
    const { user, system } = process.cpuUsage();
    ctx.body = { micros: user + system };
  } else ctx.body = { items: [1, 2, 3] };
});
const server = app.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(`PORT ${typeof address === "object" && address !== null ? address.port : 0}`);
});
process.on("SIGTERM", () => process.exit(0));
process.on("SIGINT", () => process.exit(0));
