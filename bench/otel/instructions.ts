// Instructions per allowed decision with and without OpenTelemetry, counted by callgrind: repeatable where CPU time on
// a shared machine is not. Each variant runs loop.ts with N and 5N decisions; the difference over 4N leaves out start-up.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { buildBenchDist } from "../http-load.js";

const VARIANTS = ["without", "noop", "reader"] as const;
const LOOP = fileURLToPath(new URL("./loop.ts", import.meta.url));
const TSX = fileURLToPath(new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url));
const DECISIONS = Number(process.env["BENCH_DECISIONS"] ?? 50_000);

/** Instructions of one run; fixed seeds and a GC schedule of its own, as in bench/koa/instructions.ts. */
function instructions(variant: string, decisions: number): number {
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
    String(decisions),
  ];
  const run = spawnSync("valgrind", args, { encoding: "utf8" });
  const collected = /Collected : (\d+)/.exec(run.stderr ?? "");
  if (run.status !== 0 || collected === null)
    throw new Error(`callgrind on ${variant} failed (${run.error?.message ?? `exit ${run.status}`}): ${run.stderr?.slice(-500)}`);
  return Number(collected[1]);
}

function perDecision(variant: string): number {
  return (instructions(variant, 5 * DECISIONS) - instructions(variant, DECISIONS)) / (4 * DECISIONS);
}

buildBenchDist();
console.log(`allowed check("api"): instructions per decision (callgrind, ${DECISIONS} and ${5 * DECISIONS} decisions per variant)`);
const counted = new Map(VARIANTS.map((variant) => [variant, perDecision(variant)]));
for (const [variant, count] of counted) console.log(`  ${variant.padEnd(8)} ${count.toFixed(0).padStart(7)}`);
const without = counted.get("without") as number;
for (const variant of ["noop", "reader"] as const)
  console.log(`  ${variant} / without: ${((counted.get(variant) as number) / without).toFixed(3)}`);
