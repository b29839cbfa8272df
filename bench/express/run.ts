// Express throughput, side by side in one run: bare, hexarch() with the Quick Start policies, express-rate-limit.
import autocannon from "autocannon";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The three compared servers; BENCH_VARIANTS may add the diagnostic ones of server.ts. */
type Variant = "bare" | "hexarch" | "express-rate-limit";
const VARIANTS = (process.env["BENCH_VARIANTS"]?.split(",") ?? ["bare", "hexarch", "express-rate-limit"]) as readonly Variant[];

const DURATION = Number(process.env["BENCH_DURATION"] ?? 5);
const WARMUP = Number(process.env["BENCH_WARMUP"] ?? 2);
const CONNECTIONS = Number(process.env["BENCH_CONNECTIONS"] ?? 50);
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 5);
const SERVER = fileURLToPath(new URL("./server.ts", import.meta.url));
const TSX = fileURLToPath(new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url));

function start(variant: Variant): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", TSX, SERVER, variant], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const port = /PORT (\d+)/.exec(output)?.[1];
      if (port !== undefined) resolve({ child, url: `http://127.0.0.1:${port}` });
    });
    child.once("exit", (code) => reject(new Error(`${variant} server exited with ${code}`)));
  });
}

async function load(url: string, seconds: number): Promise<{ rps: number; total: number; non2xx: number; p99: number }> {
  const result = await autocannon({ url: `${url}/items`, connections: CONNECTIONS, duration: seconds, pipelining: 1 });
  return { rps: result.requests.average, total: result.requests.total, non2xx: result.non2xx + result.errors, p99: result.latency.p99 };
}

async function serverCpuMicros(url: string): Promise<number> {
  const answer = (await (await fetch(`${url}/cpu`)).json()) as { micros: number };
  return answer.micros;
}

/** Throughput, p99 latency, and the server's own CPU time per request (steadier than throughput on a busy machine). */
async function measure(variant: Variant): Promise<{ rps: number; p99: number; cpuPerRequest: number }> {
  const { child, url } = await start(variant);
  try {
    await load(url, WARMUP);
    const cpuBefore = await serverCpuMicros(url);
    const run = await load(url, DURATION);
    const cpuPerRequest = ((await serverCpuMicros(url)) - cpuBefore) / run.total;
    if (run.non2xx > 0) throw new Error(`${variant}: ${run.non2xx} responses were not 2xx; the bench must never block`);
    return { rps: run.rps, p99: run.p99, cpuPerRequest };
  } finally {
    child.kill();
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

if (process.env["BENCH_SOURCE"] !== "1") execFileSync("npx", ["tsup"], { cwd: fileURLToPath(new URL("../..", import.meta.url)), stdio: "ignore" });
const perVariant = (): Record<Variant, number[]> => Object.fromEntries(VARIANTS.map((v) => [v, []])) as unknown as Record<Variant, number[]>;
const results = perVariant();
const latencies = perVariant();
const cpu = perVariant();
console.log(`GET /items, ${CONNECTIONS} connections, ${WARMUP} s warm-up + ${DURATION} s per run, ${ROUNDS} rounds, servers run one at a time`);
for (let round = 1; round <= ROUNDS; round++) {
  for (const variant of VARIANTS) {
    const { rps, p99, cpuPerRequest } = await measure(variant);
    results[variant].push(rps);
    latencies[variant].push(p99);
    cpu[variant].push(cpuPerRequest);
    console.log(`round ${round}  ${variant.padEnd(20)} ${rps.toFixed(0).padStart(7)} req/s  p99 ${p99} ms  server CPU ${cpuPerRequest.toFixed(1)} µs/req`);
  }
}
const bare = median(results.bare ?? []);
const guarded = median(results.hexarch ?? []);
const erl = median(results["express-rate-limit"] ?? []);
const cpuOf = (variant: Variant) => median(cpu[variant]);
console.log("\nmedians:");
for (const variant of VARIANTS) {
  console.log(`  ${variant.padEnd(20)} ${median(results[variant]).toFixed(0).padStart(7)} req/s  p99 ${median(latencies[variant])} ms  server CPU ${cpuOf(variant).toFixed(1)} µs/req`);
}
if (!["bare", "hexarch", "express-rate-limit"].every((v) => VARIANTS.includes(v as Variant))) process.exit(0);
console.log("\nthroughput ratios (median req/s):");
console.log(`  hexarch / bare               ${(guarded / bare).toFixed(3)}  (target ≥ 0.95)`);
console.log(`  hexarch / express-rate-limit ${(guarded / erl).toFixed(3)}  (target ≥ 1.20)`);
console.log("server CPU ratios (requests per CPU-second, median):");
console.log(`  hexarch / bare               ${(cpuOf("bare") / cpuOf("hexarch")).toFixed(3)}`);
console.log(`  hexarch / express-rate-limit ${(cpuOf("express-rate-limit") / cpuOf("hexarch")).toFixed(3)}`);
