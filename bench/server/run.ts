// hexarch serve throughput: POST /v1/decisions against the same server's bare JSON endpoint, alternating on one process; memory, Redis,
// logged.
import autocannon from "autocannon";
import { fileURLToPath } from "node:url";
import { RedisServer } from "../../tests/support/redis.js";
import { inTurn, LOAD, median, startTsServer } from "../http-load.js";

const SERVER = fileURLToPath(new URL("./server.ts", import.meta.url));
/** One server per store set-up; each serves both endpoints, so a ratio compares them on the very same process. */
const SETUPS = (process.env["BENCH_SETUPS"]?.split(",") ?? ["memory", "redis", "log"]) as readonly string[];
const ENDPOINTS = { bare: "/v1/bench-bare", decisions: "/v1/decisions" } as const;
type Endpoint = keyof typeof ENDPOINTS;
/** The call every request decides: the Express bench's GET /items, as a decision request. */
const BODY = JSON.stringify({ context: { route: "/items", method: "GET", client: "203.0.113.9" } });
const TARGET = 0.8;

interface Run {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuPerRequest: number;
}

async function measure(url: string, endpoint: Endpoint, duration: number): Promise<Run> {
  const cpu = async (): Promise<number> => ((await (await fetch(`${url}/cpu`)).json()) as { micros: number }).micros;
  const before = await cpu();
  const result = await autocannon({
    url: `${url}${ENDPOINTS[endpoint]}`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: BODY,
    connections: LOAD.connections,
    duration,
  });
  const after = await cpu();
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0) throw new Error(`${endpoint}: ${failed} requests failed; the bench must never be refused`);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuPerRequest: (after - before) / result.requests.total,
  };
}

let redisUrl = process.env["REDIS_URL"] ?? "";
let ownRedis: RedisServer | undefined;
if (redisUrl === "" && SETUPS.includes("redis")) {
  ownRedis = await RedisServer.start();
  redisUrl = ownRedis.url;
}
console.log(
  `hexarch serve, POST with a JSON body: ${LOAD.connections} connections, ${LOAD.duration} s per run, ${LOAD.rounds} rounds; each store set-up on one server process serving both endpoints, the order alternating each round`,
);
try {
  for (const setup of SETUPS) {
    const { child, url } = await startTsServer(SERVER, [setup, redisUrl, `bench:serve:${process.pid}:${setup}:`]);
    try {
      for (const endpoint of Object.keys(ENDPOINTS) as Endpoint[]) await measure(url, endpoint, LOAD.warmup);
      const runs: Record<Endpoint, Run[]> = { bare: [], decisions: [] };
      for (let round = 1; round <= LOAD.rounds; round++) {
        for (const endpoint of inTurn(Object.keys(ENDPOINTS) as Endpoint[], round)) {
          const run = await measure(url, endpoint, LOAD.duration);
          runs[endpoint].push(run);
          console.log(
            `${setup.padEnd(7)} round ${round}  ${endpoint.padEnd(10)} ${run.rps.toFixed(0).padStart(6)} req/s  p50 ${run.p50} ms  p99 ${run.p99} ms  server CPU ${run.cpuPerRequest.toFixed(1)} µs/req`,
          );
        }
      }
      const of = (endpoint: Endpoint, pick: (run: Run) => number): number => median(runs[endpoint].map(pick));
      const byRound = median(runs.decisions.map((run, i) => run.rps / (runs.bare[i] as Run).rps));
      console.log(
        `${setup.padEnd(7)} medians: bare ${of("bare", (r) => r.rps).toFixed(0)} req/s (p50 ${of("bare", (r) => r.p50)} ms, p99 ${of("bare", (r) => r.p99)} ms), decisions ${of("decisions", (r) => r.rps).toFixed(0)} req/s (p50 ${of("decisions", (r) => r.p50)} ms, p99 ${of("decisions", (r) => r.p99)} ms)`,
      );
      console.log(
        `${setup.padEnd(7)} decisions / bare: throughput ${(of("decisions", (r) => r.rps) / of("bare", (r) => r.rps)).toFixed(3)}, by round ${byRound.toFixed(3)} (target ≥ ${TARGET.toFixed(2)}), requests per CPU-second ${(of("bare", (r) => r.cpuPerRequest) / of("decisions", (r) => r.cpuPerRequest)).toFixed(3)}\n`,
      );
    } finally {
      child.kill();
    }
  }
} finally {
  await ownRedis?.kill();
}
