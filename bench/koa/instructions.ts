// Instructions per guarded Koa request, counted by valgrind's callgrind: repeatable where wall-clock timing on a
// shared machine is not. Each variant runs loop.ts twice (N and 5N requests); the difference over 4N requests
// leaves out start-up. Needs valgrind. Counts user-space instructions only: the kernel's share of a real request
// (sockets) is not in them, so ratios here overstate what the HTTP bench shows.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { buildBenchDist } from "../http-load.js";

const VARIANTS = ["bare", "floor-rlf", "hexarch"] as const;
const LOOP = fileURLToPath(new URL("./loop.ts", import.meta.url));
const TSX = fileURLToPath(new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url));
const REQUESTS = Number(process.env["BENCH_REQUESTS"] ?? 50_000);

/**
 * Instructions of one run, as callgrind totals them. `--single-threaded` compiles on the main thread; the hash and
 * random seeds are fixed and garbage collection follows a schedule of its own, not the heap's growth, so what
 * varies between runs of one tree is little more than timers (about ±3% per request over 200,000 requests).
 */
function instructions(variant: string, requests: number): number {
  const args = [
    "--tool=callgrind",
    "--callgrind-out-file=/dev/null",
    process.execPath,
    "--single-threaded",
    "--hash-seed=1",
    "--random-seed=1",
    "--predictable-gc-schedule",
    "--import",
    TSX,
    LOOP,
    variant,
    String(requests),
  ];
  const run = spawnSync("valgrind", args, { encoding: "utf8" });
  const collected = /Collected : (\d+)/.exec(run.stderr ?? "");
  if (run.status !== 0 || collected === null)
    throw new Error(`callgrind on ${variant} failed (${run.error?.message ?? `exit ${run.status}`}): ${run.stderr?.slice(-500)}`);
  return Number(collected[1]);
}

function perRequest(variant: string): number {
  return (instructions(variant, 5 * REQUESTS) - instructions(variant, REQUESTS)) / (4 * REQUESTS);
}

buildBenchDist();
console.log(`Koa in process, GET /items: instructions per request (callgrind, ${REQUESTS} and ${5 * REQUESTS} requests per variant)`);
const counted = new Map(VARIANTS.map((variant) => [variant, perRequest(variant)]));
for (const [variant, count] of counted) console.log(`  ${variant.padEnd(10)} ${count.toFixed(0).padStart(7)}`);
const bare = counted.get("bare") as number;
const floor = counted.get("floor-rlf") as number;
const guarded = counted.get("hexarch") as number;
console.log(`  hexarch over floor-rlf: ${(guarded - floor).toFixed(0)} instructions (floor-rlf over bare: ${(floor - bare).toFixed(0)})`);
