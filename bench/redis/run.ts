// Express throughput on Redis, side by side in one run: bare, hexarch() on memory, hexarch() on Redis, a RateLimiterRedis middleware.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { CommandLog, RedisServer } from "../../tests/support/redis.js";

const VARIANTS = ["bare", "hexarch-memory", "hexarch-redis", "peer-redis"] as const;
type Variant = (typeof VARIANTS)[number];

const DURATION = Number(process.env["BENCH_DURATION"] ?? 10);
const WARMUP = Number(process.env["BENCH_WARMUP"] ?? 3);
const CONNECTIONS = Number(process.env["BENCH_CONNECTIONS"] ?? 50);
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 3);
const COUNTED_REQUESTS = 2_000;
const SERVER = fileURLToPath(new URL("./server.ts", import.meta.url));
const TSX = fileURLToPath(new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url));

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  readonly prefix: string;
}

let runs = 0;

/** Starts one variant's server in its own process, with a key prefix no earlier run used. */
function serve(variant: Variant, redisUrl: string): Promise<Running> {
  runs += 1;
  const prefix = `bench:${process.pid}:${runs}`;
  const child = fork(SERVER, [variant, redisUrl, prefix], { execArgv: ["--import", TSX] });
  return new Promise((resolve, reject) => {
    child.once("message", (message: { port: number }) => resolve({ child, url: `http://127.0.0.1:${message.port}/items`, prefix }));
    child.once("exit", (code) => reject(new Error(`${variant} server exited with ${String(code)}`)));
  });
}

/** Requests per second and p99 latency over `seconds`; any refused or failed request aborts the bench. */
async function hammer(variant: Variant, url: string, seconds: number): Promise<{ rps: number; p99: number }> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, pipelining: 1 });
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0) throw new Error(`${variant}: ${failed} requests were refused or failed; the bench measures the allow path`);
  return { rps: result.requests.average, p99: result.latency.p99 };
}

/** Redis commands per request for a variant, counted with MONITOR over a separate fixed number of requests. */
async function commandsPerRequest(variant: Variant, redisUrl: string): Promise<number> {
  const server = await serve(variant, redisUrl);
  const log = await CommandLog.watch(redisUrl, server.prefix);
  try {
    await autocannon({ url: server.url, connections: 10, amount: 100 });
    await log.settled();
    log.clear();
    await autocannon({ url: server.url, connections: 10, amount: COUNTED_REQUESTS });
    await log.settled();
    return log.commands.length / COUNTED_REQUESTS;
  } finally {
    log.stop();
    server.child.kill();
  }
}

function middle(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const own = process.env["REDIS_URL"] ? undefined : await RedisServer.start();
const redisUrl = process.env["REDIS_URL"] ?? own?.url ?? "";
try {
  const rps = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
  const p99 = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
  console.log(`GET /items, Quick Start policies (rate limit out of reach), ${CONNECTIONS} connections, ${WARMUP} s warm-up + ${DURATION} s per run, ${ROUNDS} rounds`);
  console.log(`Redis: ${own === undefined ? "REDIS_URL" : `own redis-server on ${redisUrl}`}`);
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const variant of VARIANTS) {
      const server = await serve(variant, redisUrl);
      try {
        await hammer(variant, server.url, WARMUP);
        const run = await hammer(variant, server.url, DURATION);
        rps.get(variant)?.push(run.rps);
        p99.get(variant)?.push(run.p99);
        console.log(`round ${round}  ${variant.padEnd(15)} ${run.rps.toFixed(0).padStart(7)} req/s  p99 ${run.p99} ms`);
      } finally {
        server.child.kill();
      }
    }
  }
  const median = (variant: Variant): number => middle(rps.get(variant) ?? []);
  console.log("\nmedian req/s:");
  for (const variant of VARIANTS) console.log(`  ${variant.padEnd(15)} ${median(variant).toFixed(0).padStart(7)}  p99 ${middle(p99.get(variant) ?? [])} ms`);
  console.log(`\nhexarch-memory / bare        ${(median("hexarch-memory") / median("bare")).toFixed(3)}`);
  console.log(`hexarch-redis / bare         ${(median("hexarch-redis") / median("bare")).toFixed(3)}  (target ≥ 0.90)`);
  console.log(`hexarch-redis / peer-redis   ${(median("hexarch-redis") / median("peer-redis")).toFixed(3)}  (target ≥ 1.00)`);
  console.log(`\nRedis commands per request (MONITOR, ${COUNTED_REQUESTS} requests):`);
  for (const variant of ["hexarch-redis", "peer-redis"] as const) {
    console.log(`  ${variant.padEnd(15)} ${(await commandsPerRequest(variant, redisUrl)).toFixed(3)}${variant === "hexarch-redis" ? "  (target 1)" : ""}`);
  }
} finally {
  await own?.kill();
}
