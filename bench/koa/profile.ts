// What one guard middleware costs inside a real Koa server under load, read from V8's CPU profile: the time spent
// in the middleware and everything it calls, leaving out the downstream middleware it hands on to. Throughput runs
// on this machine swing by more than the difference between two guards; this asks the server itself where its time
// went. Profiles the `floor-rlf` and `hexarch` servers of server.ts (or BENCH_VARIANTS) in turn; BENCH_PIN=1 pins as
// the throughput benches do.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { benchVariants, buildBenchDist, LOAD, median, startTsServer } from "../http-load.js";

/** The function each variant's middleware is named in the profile. */
const MIDDLEWARE: Readonly<Record<string, string>> = { "floor-rlf": "floorMiddleware", floor: "floorMiddleware", hexarch: "hexarchGuard", "hexarch-no-headers": "hexarchGuard" };
/** Koa's compose calls the next middleware through this function: time below it is downstream's. */
const DOWNSTREAM = "dispatch";
const VARIANTS = benchVariants(["floor-rlf", "hexarch"]);
const SERVER = fileURLToPath(new URL("./server.ts", import.meta.url));
/** Microseconds between samples. */
const INTERVAL_US = 100;

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Microseconds per request in one profiled run. */
interface Shares {
  readonly middleware: number;
  readonly gc: number;
  readonly busy: number;
  readonly requests: number;
}

/** V8 stamps samples with the monotonic clock in microseconds, as process.hrtime reads it here. */
function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** The profile of the thread that did the work (tsx adds a loader thread of its own). */
function busiestProfile(dir: string): CpuProfile {
  const profiles = readdirSync(dir).map((file) => JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile);
  return profiles.reduce((a, b) => (busyOf(a) >= busyOf(b) ? a : b));
}

function busyOf(profile: CpuProfile): number {
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === "(idle)").map((n) => n.id));
  return profile.samples.filter((s) => !idle.has(s)).length;
}

/** Sorts the samples taken between `from` and `to` (monotonic µs) into middleware, garbage collection and busy time. */
function shares(profile: CpuProfile, middleware: string, from: number, to: number, requests: number): Shares {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parentOf.set(child, n.id);
  /** Whether a node's stack holds the middleware with no downstream call between it and the node. */
  const inMiddleware = new Map<number, boolean>();
  const classify = (id: number): boolean => {
    const known = inMiddleware.get(id);
    if (known !== undefined) return known;
    const name = byId.get(id)?.callFrame.functionName;
    const parent = parentOf.get(id);
    const result = name === middleware ? true : name === DOWNSTREAM || parent === undefined ? false : classify(parent);
    inMiddleware.set(id, result);
    return result;
  };
  let at = profile.startTime;
  let middlewareUs = 0;
  let gcUs = 0;
  let busyUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] as number;
    if (at < from || at > to) continue;
    const id = profile.samples[i] as number;
    const name = byId.get(id)?.callFrame.functionName;
    const spent = profile.timeDeltas[i] as number;
    if (name === "(idle)") continue;
    busyUs += spent;
    if (name === "(garbage collector)") gcUs += spent;
    else if (classify(id)) middlewareUs += spent;
  }
  return { middleware: middlewareUs / requests, gc: gcUs / requests, busy: busyUs / requests, requests };
}

function percentOfBusy(run: Shares): string {
  return `${((100 * run.middleware) / run.busy).toFixed(1)}% of busy`;
}

/** Starts a profiled server, warms it up, loads it, stops it, and reads its profile over the loaded span. */
async function profiledRun(variant: string): Promise<Shares> {
  const middleware = MIDDLEWARE[variant];
  if (middleware === undefined) throw new Error(`no middleware name known for variant ${variant}`);
  const dir = mkdtempSync(join(tmpdir(), "hexarch-koa-profile-"));
  const { child, url: base } = await startTsServer(SERVER, [variant], ["--cpu-prof", `--cpu-prof-dir=${dir}`, `--cpu-prof-interval=${INTERVAL_US}`]);
  const url = `${base}/items`;
  try {
    await autocannon({ url, connections: LOAD.connections, duration: LOAD.warmup });
    const from = monotonicMicros();
    const result = await autocannon({ url, connections: LOAD.connections, duration: LOAD.duration });
    const to = monotonicMicros();
    if (result.non2xx + result.errors > 0) throw new Error(`${variant}: requests were refused or failed`);
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGINT");
    await exited;
    return shares(busiestProfile(dir), middleware, from, to, result.requests.total);
  } finally {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

buildBenchDist();
console.log(
  `Koa, GET /items under load: server time per request from V8's CPU profile (${INTERVAL_US} µs samples), ${LOAD.warmup} s warm-up + ${LOAD.duration} s, ${LOAD.rounds} rounds`,
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
