// Instructions per allowed decision with and without OpenTelemetry, counted by callgrind: repeatable where CPU time on
// a shared machine is not. Each variant runs loop.ts with N and 5N decisions; the difference over 4N leaves out start-up.
import { fileURLToPath } from "node:url";
import { callgrindInstructions } from "../callgrind.js";
import { buildBenchDist } from "../http-load.js";

const VARIANTS = ["without", "noop", "reader"] as const;
const LOOP = fileURLToPath(new URL("./loop.ts", import.meta.url));
const DECISIONS = Number(process.env["BENCH_DECISIONS"] ?? 50_000);

function perDecision(variant: string): number {
  const instructions = (decisions: number) => callgrindInstructions(LOOP, [variant, String(decisions)]);
  return (instructions(5 * DECISIONS) - instructions(DECISIONS)) / (4 * DECISIONS);
}

buildBenchDist();
console.log(`allowed check("api"): instructions per decision (callgrind, ${DECISIONS} and ${5 * DECISIONS} decisions per variant)`);
const counted = new Map(VARIANTS.map((variant) => [variant, perDecision(variant)]));
for (const [variant, count] of counted) console.log(`  ${variant.padEnd(8)} ${count.toFixed(0).padStart(7)}`);
const without = counted.get("without") as number;
for (const variant of ["noop", "reader"] as const)
  console.log(`  ${variant} / without: ${((counted.get(variant) as number) / without).toFixed(3)}`);
