// What one guard middleware costs inside a real Koa server under load, read from V8's CPU profile: the time spent
// in the middleware and everything it calls, leaving out the downstream middleware it hands on to. Throughput runs
// on this machine swing by more than the difference between two guards; this asks the server itself where its time
// went. Profiles the `floor-rlf` and `hexarch` servers of server.ts (or BENCH_VARIANTS) in turn; BENCH_PIN=1 pins as
// the throughput benches do.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { monotonicMicros, PROFILE_INTERVAL_US, profileFlags, stopAndReadProfile, timeBetween } from "../cpu-profile.js";
import { benchVariants, buildBenchDist, LOAD, loadBetween, median, startTsServer } from "../http-load.js";

/** The function each variant's middleware is named in the profile. */
const MIDDLEWARE: Readonly<Record<string, string>> = {
  "floor-rlf": "floorMiddleware",
  floor: "floorMiddleware",
  hexarch: "hexarchGuard",
  "hexarch-no-headers": "hexarchGuard",
};
/** Koa's compose calls the next middleware through this function: time below it is downstream's. */
const DOWNSTREAM = "dispatch";
const VARIANTS = benchVariants(["floor-rlf", "hexarch"]);
const SERVER = fileURLToPath(new URL("./server.ts", import.meta.url));

/** Microseconds per request in one profiled run. */
interface Shares {
  readonly middleware: number;
  readonly gc: number;
  readonly busy: number;
  readonly requests: number;
}

function percentOfBusy(run: Shares): string {
  return `${((100 * run.middleware) / run.busy).toFixed(1)}% of busy`;
}

/** Starts a profiled server, warms it up, loads it, stops it, and reads its profile over the loaded span. */
async function profiledRun(variant: string): Promise<Shares> {
  const middleware = MIDDLEWARE[variant];
  if (middleware === undefined) throw new Error(`no middleware name known for variant ${variant}`);
  const dir = mkdtempSync(join(tmpdir(), "hexarch-koa-profile-"));
  const { child, url: base } = await startTsServer(SERVER, [variant], profileFlags(dir));
  try {
    const { result, before, after } = await loadBetween(`${base}/items`, monotonicMicros);
    const requests = result.requests.total;
    const time = timeBetween(await stopAndReadProfile(child, dir), before, after, { name: middleware, stop: DOWNSTREAM });
    return { middleware: time.inside / requests, gc: time.gc / requests, busy: time.busy / requests, requests };
  } finally {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

buildBenchDist();
console.log(
  `Koa, GET /items under load: server time per request from V8's CPU profile (${PROFILE_INTERVAL_US} µs samples), ${LOAD.warmup} s warm-up + ${LOAD.duration} s, ${LOAD.rounds} rounds`,
);
const runs = new Map<string, Shares[]>(VARIANTS.map((variant) => [variant, []]));
for (let round = 1; round <= LOAD.rounds; round++) {
  for (const variant of VARIANTS) {
    const run = await profiledRun(variant);
    runs.get(variant)?.push(run);
    console.log(
      `round ${round}  ${variant.padEnd(18)} middleware ${run.middleware.toFixed(2)} µs/req (${percentOfBusy(run)})  GC ${run.gc.toFixed(2)}  busy ${run.busy.toFixed(1)}  (${run.requests} requests)`,
    );
  }
}
console.log("\nmedians (µs per request; the middleware's share of the server's busy time, which a machine's changing speed moves less):");
for (const [variant, shares] of runs) {
  const of = (pick: (s: Shares) => number) => median(shares.map(pick));
  console.log(
    `  ${variant.padEnd(18)} middleware ${of((s) => s.middleware).toFixed(2)} (${(100 * of((s) => s.middleware / s.busy)).toFixed(1)}%)  GC ${of((s) => s.gc).toFixed(2)}  busy ${of((s) => s.busy).toFixed(1)}`,
  );
}
