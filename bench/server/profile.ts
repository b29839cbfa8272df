// Where hexarch serve's time goes: the bench server under V8's CPU profiler, GET /health then POST /v1/decisions loaded
// in turn with autocannon; per endpoint, busy and idle time per request and the functions with the most self time.
import autocannon from "autocannon";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { monotonicMicros, profileFlags, stopAndReadProfile, type CpuProfile } from "../cpu-profile.js";
import { startTsServer } from "../http-load.js";
import { BENCH_BODY as BODY, BENCH_TOKEN as TOKEN } from "./request.js";

const SERVER = fileURLToPath(new URL("./server.ts", import.meta.url));
const BARE = fileURLToPath(new URL("./bare.ts", import.meta.url));
const DURATION = Number(process.env["BENCH_DURATION"] ?? 5);
const CONNECTIONS = Number(process.env["BENCH_CONNECTIONS"] ?? 20);
const TOP = 15;

interface Span {
  readonly name: string;
  readonly from: number;
  readonly to: number;
  readonly requests: number;
}

/** Self time per function (name and file) of the samples between `from` and `to`, and the idle time, in µs. */
function selfTimes(profile: CpuProfile, span: Span) {
  const label = new Map(
    profile.nodes.map((n) => [
      n.id,
      `${n.callFrame.functionName || "(anonymous)"} ${(n.callFrame.url ?? "").split("/").slice(-2).join("/")}`,
    ]),
  );
  const self = new Map<string, number>();
  let at = profile.startTime;
  let idle = 0;
  let all = 0;
  profile.samples.forEach((id, i) => {
    const spent = profile.timeDeltas[i] as number;
    at += spent;
    if (at < span.from || at > span.to) return;
    const name = label.get(id) ?? "?";
    all += spent;
    if (name.startsWith("(idle)")) idle += spent;
    else self.set(name, (self.get(name) ?? 0) + spent);
  });
  return { idle, all, self: [...self].sort((a, b) => b[1] - a[1]) };
}

const post = {
  method: "POST",
  headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
  body: BODY,
} as const;
type Load = readonly [name: string, path: string, request: Partial<typeof post>];

/** Profiles one server script while each load runs in turn; the spans and the profile. */
async function profiled(script: string, args: readonly string[], loads: readonly Load[]): Promise<[Span[], CpuProfile]> {
  const dir = mkdtempSync(join(tmpdir(), "hexarch-serve-profile-"));
  const { child, url } = await startTsServer(script, args, profileFlags(dir));
  const spans: Span[] = [];
  for (const [name, path, request] of loads) {
    await autocannon({ url: `${url}${path}`, ...request, connections: CONNECTIONS, duration: 2 });
    const from = monotonicMicros();
    const result = await autocannon({ url: `${url}${path}`, ...request, connections: CONNECTIONS, duration: DURATION });
    spans.push({ name, from, to: monotonicMicros(), requests: result.requests.total });
    if (result.non2xx + result.errors > 0) throw new Error(`${name}: ${result.non2xx + result.errors} requests failed`);
  }
  return [spans, await stopAndReadProfile(child, dir)];
}

const runs = [
  await profiled(BARE, [], [["bare hono POST /v1/decisions", "/v1/decisions", post]]),
  await profiled(
    SERVER,
    ["memory", "", "bench:profile:", TOKEN],
    [
      ["hexarch GET /health", "/health", {}],
      ["hexarch POST /v1/decisions", "/v1/decisions", post],
    ],
  ),
];
for (const [spans, profile] of runs)
  for (const span of spans) {
    const { idle, all, self } = selfTimes(profile, span);
    console.log(
      `\n${span.name}: ${span.requests} requests, busy ${((all - idle) / span.requests).toFixed(1)} µs per request, idle ${((100 * idle) / all).toFixed(0)}% of the time`,
    );
    for (const [fn, micros] of self.slice(0, TOP))
      console.log(`  ${((100 * micros) / (all - idle)).toFixed(1).padStart(5)}% of busy  ${fn}`);
  }
