// Server time per request of each bench route, read from V8's CPU profile of one Next.js server under load: bare,
// guarded (withHexarch) and floor (the two fields set by hand) measured in the same process, a few seconds apart,
// round after round. Next's throughput swings by more between runs than the guard costs; busy time per request,
// route by route, does not depend on how fast the machine let the load generator go. Next minifies the routes'
// code, so this reads whole requests, not the guard's own functions.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { buildNextApp } from "../../tests/e2e/next-server.js";
import { monotonicMicros, PROFILE_INTERVAL_US, profileFlags, stopAndReadProfile, timeBetween } from "../cpu-profile.js";
import { benchVariants, buildBenchDist, inTurn, LOAD, loadBetween, median, startTsServer } from "../http-load.js";
import { BENCH_SECRET } from "../policies.js";

const APP = fileURLToPath(new URL(".", import.meta.url));
const SERVER = fileURLToPath(new URL("./profile-server.mjs", import.meta.url));
/** The routes compared with `bare`; BENCH_VARIANTS may add the diagnostic ones (`guarded-no-headers`, `floor-reads`). */
const ROUTES = benchVariants(["bare", "guarded", "floor"]);

/** One route loaded once: the monotonic span of the load and the requests answered in it. */
interface Window {
  readonly route: string;
  readonly from: number;
  readonly to: number;
  readonly requests: number;
}

async function loadWindow(base: string, route: string): Promise<Window> {
  const { result, before, after } = await loadBetween(`${base}/${route}`, monotonicMicros);
  return { route, from: before, to: after, requests: result.requests.total };
}

buildBenchDist();
await buildNextApp(APP);
process.env["NEXT_TELEMETRY_DISABLED"] = "1";
process.env["HEXARCH_SECRET"] = BENCH_SECRET;
const dir = mkdtempSync(join(tmpdir(), "hexarch-next-profile-"));
const windows: Window[] = [];
const { child, url } = await startTsServer(SERVER, [], profileFlags(dir));
try {
  console.log(
    `Next.js routes under load in one profiled server (${PROFILE_INTERVAL_US} µs samples), ${LOAD.warmup} s warm-up + ${LOAD.duration} s per route, ${LOAD.rounds} rounds, order rotating`,
  );
  // Next compiles each route's code on its first requests: one untimed pass first, so round 1 is as warm as the rest.
  for (const route of ROUTES) await autocannon({ url: `${url}/${route}`, connections: LOAD.connections, duration: LOAD.warmup });
  for (let round = 1; round <= LOAD.rounds; round++) {
    for (const route of inTurn(ROUTES, round)) windows.push(await loadWindow(url, route));
  }
  const profile = await stopAndReadProfile(child, dir);
  const busy = new Map<string, number[]>(ROUTES.map((route) => [route, []]));
  windows.forEach((window, i) => {
    const time = timeBetween(profile, window.from, window.to);
    busy.get(window.route)?.push(time.busy / window.requests);
    const round = Math.floor(i / ROUTES.length) + 1;
    console.log(
      `round ${round}  ${window.route.padEnd(18)} busy ${(time.busy / window.requests).toFixed(1)} µs/req  GC ${(time.gc / window.requests).toFixed(1)}  (${window.requests} requests)`,
    );
  });
  const bare = median(busy.get("bare") ?? []);
  console.log(
    "\nmedians (busy µs per request; bare's busy time over the route's, the throughput ratio a server held to its CPU would show):",
  );
  for (const [route, values] of busy) {
    const of = median(values);
    console.log(
      `  ${route.padEnd(18)} ${of.toFixed(1)} µs  ${route === "bare" ? "" : `${of >= bare ? "+" : "−"}${Math.abs(of - bare).toFixed(1)} µs against bare, ratio ${(bare / of).toFixed(3)}`}`,
    );
  }
} finally {
  child.kill();
  rmSync(dir, { recursive: true, force: true });
}
