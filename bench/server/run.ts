// hexarch serve throughput, side by side in one run: POST /v1/decisions against the same server's bare JSON endpoint; memory, Redis, logged.
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { RedisServer } from "../../tests/support/redis.js";
import { benchVariants, compareVariants, LOAD, median, startTsServer, type LoadRun } from "../http-load.js";

const SERVER = fileURLToPath(new URL("./server.ts", import.meta.url));
const VARIANTS = benchVariants(["bare", "decisions", "bare-redis", "decisions-redis", "decisions-log"]);
const TARGETS: readonly (readonly [string, string, number])[] = [
  ["decisions", "bare", 0.8],
  ["decisions-redis", "bare-redis", 0.8],
  ["decisions-log", "bare", 0.8],
];
/** The call every request decides: the Express bench's GET /items, as a decision request. */
const BODY = JSON.stringify({ context: { route: "/items", method: "GET", client: "203.0.113.9" } });

let redisUrl = process.env["REDIS_URL"] ?? "";
let ownRedis: RedisServer | undefined;
const p50s = new Map<string, number[]>();
let runs = 0;

async function measure(variant: string): Promise<LoadRun> {
  const store = variant.endsWith("-redis") ? "redis" : variant.endsWith("-log") ? "log" : "memory";
  runs += 1;
  const { child, url } = await startTsServer(SERVER, [store, redisUrl, `bench:serve:${process.pid}:${runs}:`]);
  try {
    const path = variant.startsWith("bare") ? "/v1/bench-bare" : "/v1/decisions";
    const load = (duration: number) =>
      autocannon({
        url: `${url}${path}`,
        method: "POST",
        headers: { "content-type": "application/json" },
        body: BODY,
        connections: LOAD.connections,
        duration,
      });
    await load(LOAD.warmup);
    const cpu = async () => ((await (await fetch(`${url}/cpu`)).json()) as { micros: number }).micros;
    const before = await cpu();
    const result = await load(LOAD.duration);
    const after = await cpu();
    const failed = result.non2xx + result.errors + result.timeouts;
    if (failed > 0) throw new Error(`${variant}: ${failed} requests failed; the bench must never be refused`);
    p50s.set(variant, [...(p50s.get(variant) ?? []), result.latency.p50]);
    return { rps: result.requests.average, p99: result.latency.p99, cpuPerRequest: (after - before) / result.requests.total };
  } finally {
    child.kill();
  }
}

if (redisUrl === "" && VARIANTS.some((v) => v.endsWith("-redis"))) {
  ownRedis = await RedisServer.start();
  redisUrl = ownRedis.url;
}
console.log(
  `hexarch serve: POST, ${LOAD.connections} connections, ${LOAD.warmup} s warm-up + ${LOAD.duration} s per run, ${LOAD.rounds} rounds, servers one at a time, order rotated each round`,
);
try {
  await compareVariants(VARIANTS, measure, TARGETS);
  console.log("\np50 latency (median of rounds):");
  for (const variant of VARIANTS) console.log(`  ${variant.padEnd(18)} ${median(p50s.get(variant) ?? [0])} ms`);
} finally {
  await ownRedis?.kill();
}
