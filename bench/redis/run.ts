// Express throughput on Redis, side by side in one run: bare, hexarch() on memory, hexarch() on Redis, a RateLimiterRedis middleware.
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import type { Redis } from "ioredis";
import { CommandLog, connectRedis, RedisServer } from "../../tests/support/redis.js";
import { algorithmCosts } from "./algorithms.js";
import { benchVariants, buildBenchDist, compareVariants, LOAD, measureServer, startTsServer } from "../http-load.js";

/** The compared servers; BENCH_VARIANTS may add the diagnostics `floor-redis` and `hexarch-redis-as-is` of server.ts. */
const VARIANTS = benchVariants(["bare", "hexarch-memory", "hexarch-redis", "peer-redis"]);
const TARGETS: readonly (readonly [string, string, number])[] = [
  ["hexarch-redis", "bare", 0.9],
  ["hexarch-redis", "peer-redis", 1.0],
  ["floor-redis", "bare", 0.9],
  ["hexarch-redis-as-is", "bare", 0.9],
];
const SERVER = fileURLToPath(new URL("./server.ts", import.meta.url));
/** Requests of the Redis pass: CPU is read over the first count, commands (under MONITOR) over the second. */
const CPU_REQUESTS = 20_000;
const COUNTED_REQUESTS = 2_000;

let runs = 0;

/** A key prefix no earlier run used, so no run counts on another's leftovers. */
function freshPrefix(): string {
  runs += 1;
  return `bench:${process.pid}:${runs}`;
}

async function redisCpuMicros(redis: Redis): Promise<number> {
  const info = await redis.info("cpu");
  const seconds = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? Number.NaN);
  return (seconds("used_cpu_user") + seconds("used_cpu_sys")) * 1e6;
}

/** Redis CPU per request, then Redis commands per request counted with MONITOR (which would skew the CPU). */
async function redisCost(variant: string, redisUrl: string, redis: Redis): Promise<{ cpuMicros: number; commands: number }> {
  const prefix = freshPrefix();
  const { child, url } = await startTsServer(SERVER, [variant, redisUrl, prefix]);
  try {
    const load = (amount: number) => autocannon({ url: `${url}/items`, connections: LOAD.connections, amount });
    await load(2_000);
    const before = await redisCpuMicros(redis);
    await load(CPU_REQUESTS);
    const cpuMicros = ((await redisCpuMicros(redis)) - before) / CPU_REQUESTS;
    const log = await CommandLog.watch(redisUrl, prefix);
    try {
      await load(COUNTED_REQUESTS);
      await log.settled();
      return { cpuMicros, commands: log.commands.length / COUNTED_REQUESTS };
    } finally {
      log.stop();
    }
  } finally {
    child.kill();
  }
}

if (process.env["BENCH_SOURCE"] !== "1") buildBenchDist();
const own = process.env["REDIS_URL"] ? undefined : await RedisServer.start();
const redisUrl = process.env["REDIS_URL"] ?? own?.url ?? "";
const redis = await connectRedis(redisUrl);
try {
  if (process.env["BENCH_ONLY"] !== "algorithms") await httpComparison();
  await algorithmCosts(redisUrl);
} finally {
  redis.disconnect();
  await own?.kill();
}

/** The Express servers side by side, then Redis CPU and commands per request of each. */
async function httpComparison(): Promise<void> {
  const pipelining = process.env["BENCH_AUTOPIPELINING"] === "1" ? "on" : "off";
  console.log(`Express on Redis: GET /items, Quick Start policies (rate limit out of reach), ${LOAD.connections} connections,`);
  console.log(`${LOAD.warmup} s warm-up + ${LOAD.duration} s per run, ${LOAD.rounds} rounds; ioredis auto-pipelining ${pipelining};`);
  console.log(`Redis: ${own === undefined ? "REDIS_URL" : `own redis-server on ${redisUrl}`}`);
  await compareVariants(
    VARIANTS,
    measureServer(SERVER, (variant) => [variant, redisUrl, freshPrefix()]),
    TARGETS,
  );
  console.log(`\nRedis per request (CPU over ${CPU_REQUESTS} requests; commands under MONITOR over ${COUNTED_REQUESTS}):`);
  for (const variant of ["hexarch-redis", "hexarch-redis-as-is", "peer-redis"].filter((v) => VARIANTS.includes(v))) {
    const { cpuMicros, commands } = await redisCost(variant, redisUrl, redis);
    console.log(
      `  ${variant.padEnd(20)} Redis CPU ${cpuMicros.toFixed(1)} µs  commands ${commands.toFixed(3)}${variant === "hexarch-redis" ? "  (target 1)" : ""}`,
    );
  }
}
