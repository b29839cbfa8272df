// hexarch serve throughput against a bare hono app with no middleware: GET /health and POST /v1/decisions (with a key) of
// hexarch serve, POST /v1/decisions of the bare app, loaded in turn with the order rotating each round; memory store by
// default (BENCH_SETUPS=memory,redis,log for the others).
import autocannon from "autocannon";
import { fileURLToPath } from "node:url";
import { RedisServer } from "../../tests/support/redis.js";
import { inTurn, median, startTsServer } from "../http-load.js";
import { BENCH_BODY as BODY, BENCH_TOKEN as TOKEN } from "./request.js";

const SERVER = fileURLToPath(new URL("./server.ts", import.meta.url));
const BARE = fileURLToPath(new URL("./bare.ts", import.meta.url));
const SETUPS = (process.env["BENCH_SETUPS"]?.split(",") ?? ["memory"]) as readonly string[];
/** This bench's own defaults: 20 connections, as the figures were measured. */
const LOAD = {
  duration: Number(process.env["BENCH_DURATION"] ?? 4),
  warmup: Number(process.env["BENCH_WARMUP"] ?? 2),
  connections: Number(process.env["BENCH_CONNECTIONS"] ?? 20),
  rounds: Number(process.env["BENCH_ROUNDS"] ?? 5),
};
/** `bare-answer`: the bare app answering with hexarch serve's header fields and a decision-sized answer (bare.ts). */
const VARIANTS = ["bare", "bare-answer", "health", "decisions"] as const;
type Variant = (typeof VARIANTS)[number];
/** Each hexarch variant's target, as a share of bare's throughput in the same round. */
const TARGETS: Readonly<Record<"health" | "decisions", number>> = { health: 0.8, decisions: 0.6 };

interface Run {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuPerRequest: number;
}

interface Target {
  readonly base: string;
  readonly path: string;
  readonly request: Pick<autocannon.Options, "method" | "headers" | "body">;
}

async function measure(target: Target, duration: number): Promise<Run> {
  const cpu = async (): Promise<number> => ((await (await fetch(`${target.base}/cpu`)).json()) as { micros: number }).micros;
  const before = await cpu();
  const result = await autocannon({ url: `${target.base}${target.path}`, ...target.request, connections: LOAD.connections, duration });
  const after = await cpu();
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0) throw new Error(`${target.path}: ${failed} requests failed; the bench must never be refused`);
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
  `hexarch serve against bare hono: ${LOAD.connections} connections, ${LOAD.duration} s per run, ${LOAD.rounds} rounds, the order rotating each round`,
);
const bare = await startTsServer(BARE, []);
const bareAnswer = await startTsServer(BARE, ["answer"]);
const post = { method: "POST", headers: { "content-type": "application/json" }, body: BODY } as const;
try {
  for (const setup of SETUPS) {
    const hexarch = await startTsServer(SERVER, [setup, redisUrl, `bench:serve:${process.pid}:${setup}:`, TOKEN]);
    const targets: Record<Variant, Target> = {
      bare: { base: bare.url, path: "/v1/decisions", request: post },
      "bare-answer": { base: bareAnswer.url, path: "/v1/decisions", request: post },
      health: { base: hexarch.url, path: "/health", request: { method: "GET" } },
      decisions: {
        base: hexarch.url,
        path: "/v1/decisions",
        request: { ...post, headers: { ...post.headers, authorization: `Bearer ${TOKEN}` } },
      },
    };
    try {
      for (const variant of VARIANTS) await measure(targets[variant], LOAD.warmup);
      const runs: Record<Variant, Run[]> = { bare: [], "bare-answer": [], health: [], decisions: [] };
      for (let round = 1; round <= LOAD.rounds; round++) {
        for (const variant of inTurn(VARIANTS, round)) {
          const run = await measure(targets[variant], LOAD.duration);
          runs[variant].push(run);
          console.log(
            `${setup.padEnd(7)} round ${round}  ${variant.padEnd(11)} ${run.rps.toFixed(0).padStart(6)} req/s  p50 ${run.p50} ms  p99 ${run.p99} ms  server CPU ${run.cpuPerRequest.toFixed(1)} µs/req`,
          );
        }
      }
      const of = (variant: Variant, pick: (run: Run) => number): number => median(runs[variant].map(pick));
      for (const variant of VARIANTS)
        console.log(
          `${setup.padEnd(7)} median ${variant.padEnd(11)} ${of(variant, (r) => r.rps).toFixed(0)} req/s (p50 ${of(variant, (r) => r.p50)} ms, p99 ${of(variant, (r) => r.p99)} ms, server CPU ${of(variant, (r) => r.cpuPerRequest).toFixed(1)} µs/req)`,
        );
      for (const variant of ["health", "decisions"] as const) {
        const byRound = median(runs[variant].map((run, i) => run.rps / (runs.bare[i] as Run).rps));
        const cpu = of("bare", (r) => r.cpuPerRequest) / of(variant, (r) => r.cpuPerRequest);
        console.log(
          `${setup.padEnd(7)} ${variant} / bare: throughput by round ${byRound.toFixed(3)} (target ≥ ${TARGETS[variant].toFixed(2)}), requests per CPU-second ${cpu.toFixed(3)}`,
        );
      }
      const overAnswer = median(runs.decisions.map((run, i) => run.rps / (runs["bare-answer"][i] as Run).rps));
      const answerCpu = of("bare-answer", (r) => r.cpuPerRequest) / of("decisions", (r) => r.cpuPerRequest);
      console.log(
        `${setup.padEnd(7)} decisions / bare-answer (the same answer on the wire, no work behind it): throughput by round ${overAnswer.toFixed(3)}, requests per CPU-second ${answerCpu.toFixed(3)}`,
      );
      console.log("");
    } finally {
      hexarch.child.kill();
    }
  }
} finally {
  bare.child.kill();
  bareAnswer.child.kill();
  await ownRedis?.kill();
}
