// Koa throughput, side by side in one run: bare Koa vs hexarch() with the Quick Start policies on the memory store,
// and the floor a guard on rate-limiter-flexible sending the same two fields cannot go under (`floor-rlf`).
import { fileURLToPath } from "node:url";
import { benchVariants, buildBenchDist, compareVariants, LOAD, measureServer } from "../http-load.js";

/** The compared servers; BENCH_VARIANTS may pick others of server.ts (the diagnostics `floor` and `hexarch-no-headers`). */
const VARIANTS = benchVariants(["bare", "hexarch", "floor-rlf"]);
const SERVER = fileURLToPath(new URL("./server.ts", import.meta.url));

const measure = measureServer(SERVER);

if (process.env["BENCH_SOURCE"] !== "1") buildBenchDist();
console.log(
  `Koa: GET /items, ${LOAD.connections} connections, ${LOAD.warmup} s warm-up + ${LOAD.duration} s per run, ${LOAD.rounds} rounds, servers run one at a time`,
);
const TARGETS: readonly (readonly [string, string, number])[] = [
  ["hexarch", "bare", 0.9],
  // Issue 29: hexarch against a hand-written rate-limiter-flexible consume() guard sending the same two fields.
  ["hexarch", "floor-rlf", 1.0],
  ["hexarch-no-headers", "bare", 0.9],
  ["floor", "bare", 0.9],
  ["floor-rlf", "bare", 0.9],
];
await compareVariants(VARIANTS, measure, TARGETS);
