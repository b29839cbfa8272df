// Koa throughput, side by side in one run: bare Koa vs hexarch() with the Quick Start policies on the memory store,
// with its default headers and with `headers: false` (to tell the decision's cost from the extra header bytes').
import { fileURLToPath } from "node:url";
import { benchVariants, buildBenchDist, compareVariants, LOAD, measureServer } from "../http-load.js";

/** The compared servers; BENCH_VARIANTS may pick others of server.ts (the diagnostics `floor` and `floor-rlf`). */
const VARIANTS = benchVariants(["bare", "hexarch", "hexarch-no-headers"]);
const SERVER = fileURLToPath(new URL("./server.ts", import.meta.url));

const measure = measureServer(SERVER);

if (process.env["BENCH_SOURCE"] !== "1") buildBenchDist();
console.log(`Koa: GET /items, ${LOAD.connections} connections, ${LOAD.warmup} s warm-up + ${LOAD.duration} s per run, ${LOAD.rounds} rounds, servers run one at a time`);
const TARGETS: readonly (readonly [string, string, number])[] = [
  ["hexarch", "bare", 0.9],
  ["hexarch-no-headers", "bare", 0.9],
  ["floor", "bare", 0.9],
  ["floor-rlf", "bare", 0.9],
];
await compareVariants(VARIANTS, measure, TARGETS);
