// Instructions per guarded Koa request, counted by valgrind's callgrind: repeatable where wall-clock timing on a
// shared machine is not. Each variant runs loop.ts twice (N and 5N requests); the difference over 4N requests
// leaves out start-up. Needs valgrind. Counts user-space instructions only: the kernel's share of a real request
// (sockets) is not in them, so ratios here overstate what the HTTP bench shows.
import { fileURLToPath } from "node:url";
import { callgrindInstructions } from "../callgrind.js";
import { buildBenchDist } from "../http-load.js";

const VARIANTS = ["bare", "floor-rlf", "hexarch"] as const;
const LOOP = fileURLToPath(new URL("./loop.ts", import.meta.url));
const REQUESTS = Number(process.env["BENCH_REQUESTS"] ?? 50_000);

function perRequest(variant: string): number {
  const instructions = (requests: number) => callgrindInstructions(LOOP, [variant, String(requests)]);
  return (instructions(5 * REQUESTS) - instructions(REQUESTS)) / (4 * REQUESTS);
}

buildBenchDist();
console.log(`Koa in process, GET /items: instructions per request (callgrind, ${REQUESTS} and ${5 * REQUESTS} requests per variant)`);
const counted = new Map(VARIANTS.map((variant) => [variant, perRequest(variant)]));
for (const [variant, count] of counted) console.log(`  ${variant.padEnd(10)} ${count.toFixed(0).padStart(7)}`);
const bare = counted.get("bare") as number;
const floor = counted.get("floor-rlf") as number;
const guarded = counted.get("hexarch") as number;
console.log(`  hexarch over floor-rlf: ${(guarded - floor).toFixed(0)} instructions (floor-rlf over bare: ${(floor - bare).toFixed(0)})`);
