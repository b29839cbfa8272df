// Express throughput, side by side in one run: bare, hexarch() with the Quick Start policies, express-rate-limit.
import { fileURLToPath } from "node:url";
import { benchVariants, buildBenchDist, compareVariants, LOAD, measureServer } from "../http-load.js";

/** The compared servers; BENCH_VARIANTS may add the diagnostic ones of server.ts. */
const COMPARED = ["bare", "hexarch", "express-rate-limit"];
const VARIANTS = benchVariants(COMPARED);
const TARGETS: readonly (readonly [string, string, number])[] = [
  ["hexarch", "bare", 0.95],
  // Issue 29: hexarch against a hand-written rate-limiter-flexible consume() guard sending the same two fields.
  ["hexarch", "floor-rlf", 1.0],
  ["hexarch", "express-rate-limit", 1.2],
  ["hexarch", "express-rate-limit-defaults", 1.2],
  ["floor", "bare", 0.95],
  ["floor-rlf", "bare", 0.95],
  ["express-rate-limit", "bare", 0.95],
];
const SERVER = fileURLToPath(new URL("./server.ts", import.meta.url));

const measure = measureServer(SERVER);

if (process.env["BENCH_SOURCE"] !== "1") buildBenchDist();
console.log(
  `Express: GET /items, ${LOAD.connections} connections, ${LOAD.warmup} s warm-up + ${LOAD.duration} s per run, ${LOAD.rounds} rounds, servers run one at a time`,
);
await compareVariants(VARIANTS, measure, TARGETS);
