// Next.js throughput in one run: GET /bare vs GET /guarded (withHexarch from the package built into .tmp/bench-dist, Quick Start policies)
// on one `next start` server.
import { fileURLToPath } from "node:url";
import { buildNextApp, startNextApp } from "../../tests/e2e/next-server.js";
import { benchVariants, buildBenchDist, compareVariants, LOAD, loadRun } from "../http-load.js";
import { BENCH_SECRET } from "../policies.js";

const APP = fileURLToPath(new URL(".", import.meta.url));
/** The compared routes; BENCH_VARIANTS may add the diagnostic ones (`guarded-no-headers`, `floor`, `floor-reads`). */
const VARIANTS = benchVariants(["bare", "guarded"]);
const TARGETS: readonly (readonly [string, string, number])[] = [
  ["guarded", "bare", 0.95],
  ["guarded-no-headers", "bare", 0.95],
  ["floor", "bare", 0.95],
  ["floor-reads", "bare", 0.95],
];

buildBenchDist();
await buildNextApp(APP);
const server = await startNextApp(APP, { HEXARCH_SECRET: BENCH_SECRET });
try {
  console.log(
    `Next.js (next start): GET /bare and /guarded, ${LOAD.connections} connections, ${LOAD.warmup} s warm-up + ${LOAD.duration} s per run, ${LOAD.rounds} rounds, routes in turn on one server`,
  );
  await compareVariants(VARIANTS, (variant) => loadRun(`${server.url}/${variant}`, `${server.url}/cpu`), TARGETS);
} finally {
  await server.stop();
}
