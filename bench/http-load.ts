// Shared HTTP bench plumbing: start a server process, load it with autocannon, read its CPU time, compare variants by median.
import autocannon from "autocannon";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Load settings from the environment: BENCH_DURATION, BENCH_WARMUP (seconds), BENCH_CONNECTIONS, BENCH_ROUNDS (and BENCH_PIN, below). */
export const LOAD = {
  duration: Number(process.env["BENCH_DURATION"] ?? 5),
  warmup: Number(process.env["BENCH_WARMUP"] ?? 2),
  connections: Number(process.env["BENCH_CONNECTIONS"] ?? 50),
  rounds: Number(process.env["BENCH_ROUNDS"] ?? 5),
};

const TSX = fileURLToPath(new URL("../node_modules/tsx/dist/loader.mjs", import.meta.url));

/** Where the benches build the package (as users run it), apart from dist/ so other runs and tests are left alone. */
export const BENCH_DIST = fileURLToPath(new URL("../.tmp/bench-dist/", import.meta.url));

/** Builds the package with tsup into BENCH_DIST. */
export function buildBenchDist(): void {
  execFileSync("npx", ["tsup", "--out-dir", BENCH_DIST], { cwd: fileURLToPath(new URL("..", import.meta.url)), stdio: "ignore" });
}

let loadPinned = false;

/**
 * With BENCH_PIN=1, servers run on CPU 0 and this process (autocannon) on CPU 1, so the two never trade places
 * and each server's GC threads stay with it. On a 2-core machine the Koa bench's rounds then agree within about
 * 1%, against about 5% when the scheduler moves them. Needs `taskset` (util-linux). Returns the command prefix.
 */
function serverCpuPrefix(): string[] {
  if (process.env["BENCH_PIN"] !== "1") return [];
  if (!loadPinned) {
    execFileSync("taskset", ["-a", "-pc", "1", String(process.pid)], { stdio: "ignore" });
    loadPinned = true;
  }
  return ["taskset", "-c", "0"];
}

/** A TypeScript server script run under tsx (with `nodeArgs` for Node) that prints `PORT <n>` once listening; its base URL. */
export function startTsServer(
  script: string,
  args: readonly string[],
  nodeArgs: readonly string[] = [],
): Promise<{ child: ChildProcess; url: string }> {
  const command = [...serverCpuPrefix(), process.execPath, ...nodeArgs, "--import", TSX, script, ...args];
  const child = spawn(command[0] as string, command.slice(1), { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const port = /PORT (\d+)/.exec(output)?.[1];
      if (port !== undefined) resolve({ child, url: `http://127.0.0.1:${port}` });
    });
    child.once("exit", (code) => reject(new Error(`${script} ${args.join(" ")} exited with ${code}`)));
  });
}

/** What one loaded run measured. */
export interface LoadRun {
  readonly rps: number;
  readonly p99: number;
  /** Server CPU time per request in microseconds, when the server reports its CPU at `cpuUrl`. */
  readonly cpuPerRequest: number;
}

async function serverCpuMicros(cpuUrl: string): Promise<number> {
  return ((await (await fetch(cpuUrl)).json()) as { micros: number }).micros;
}

/** One timed load and what `read` gave just before and just after it. */
export interface ReadLoad<T> {
  readonly result: autocannon.Result;
  readonly before: T;
  readonly after: T;
}

/**
 * Warms `url` up, then loads it for the configured duration, calling `read` just before and just after the timed
 * load (a server's CPU time, a clock). Any non-2xx answer, error or timeout aborts: a bench must never be refused.
 */
export async function loadBetween<T>(url: string, read: () => T | Promise<T>): Promise<ReadLoad<T>> {
  const run = (duration: number) => autocannon({ url, connections: LOAD.connections, duration, pipelining: 1 });
  await run(LOAD.warmup);
  const before = await read();
  const result = await run(LOAD.duration);
  const after = await read();
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0) throw new Error(`${url}: ${failed} requests were refused or failed; the bench must never block`);
  return { result, before, after };
}

/** Loads `url` as loadBetween does, reading the server's CPU time (`{ micros }` at `cpuUrl`) around the timed load. */
export async function loadRun(url: string, cpuUrl: string): Promise<LoadRun> {
  const { result, before, after } = await loadBetween(url, () => serverCpuMicros(cpuUrl));
  return { rps: result.requests.average, p99: result.latency.p99, cpuPerRequest: (after - before) / result.requests.total };
}

/**
 * Measures one variant of a bench server script: starts it with `argsOf(variant)` (by default the variant alone),
 * loads its `/items` (CPU read from `/cpu`), and stops it.
 * @example await compareVariants(["bare", "hexarch"], measureServer(SERVER), [["hexarch", "bare", 0.9]]);
 */
export function measureServer(
  script: string,
  argsOf: (variant: string) => readonly string[] = (variant) => [variant],
): (variant: string) => Promise<LoadRun> {
  return async (variant) => {
    const { child, url } = await startTsServer(script, argsOf(variant));
    try {
      return await loadRun(`${url}/items`, `${url}/cpu`);
    } finally {
      child.kill();
    }
  };
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The variants to measure: BENCH_VARIANTS (comma-separated) when set, else the bench's own list. */
export function benchVariants(defaults: readonly string[]): readonly string[] {
  // An empty BENCH_VARIANTS means the defaults, not one variant named "".
  const given = process.env["BENCH_VARIANTS"]?.split(",").filter((name) => name !== "") ?? [];
  return given.length === 0 ? defaults : given;
}

/**
 * The variants in the order round `round` (from 1) runs them: each round starts one further along the list, so no
 * variant always runs right after the same neighbour or at the same point of a round.
 */
export function inTurn<T>(variants: readonly T[], round: number): readonly T[] {
  const start = (round - 1) % variants.length;
  return [...variants.slice(start), ...variants.slice(0, start)];
}

/**
 * Runs every variant once per round, in turn (the order rotating from round to round), printing each run; then
 * prints the medians and, for each `[variant, baseline, target]` whose two variants were measured, the throughput
 * ratio and the CPU ratio (requests per CPU-second).
 * @example await compareVariants(["bare", "hexarch"], (variant) => measureKoa(variant), [["hexarch", "bare", 0.9]]);
 */
export async function compareVariants<Variant extends string>(
  variants: readonly Variant[],
  measure: (variant: Variant) => Promise<LoadRun>,
  /** Variant, baseline, and the target ratio (undefined for a ratio printed for reference). */
  ratios: readonly (readonly [Variant, Variant, number | undefined])[],
): Promise<void> {
  const runs = new Map<Variant, LoadRun[]>(variants.map((variant) => [variant, []]));
  for (let round = 1; round <= LOAD.rounds; round++) {
    for (const variant of inTurn(variants, round)) {
      const run = await measure(variant);
      runs.get(variant)?.push(run);
      console.log(
        `round ${round}  ${variant.padEnd(18)} ${run.rps.toFixed(0).padStart(7)} req/s  p99 ${run.p99} ms  server CPU ${run.cpuPerRequest.toFixed(1)} µs/req`,
      );
    }
  }
  const of = (variant: Variant, pick: (run: LoadRun) => number) => median((runs.get(variant) ?? []).map(pick));
  console.log("\nmedians:");
  for (const variant of variants) {
    console.log(
      `  ${variant.padEnd(18)} ${of(variant, (r) => r.rps)
        .toFixed(0)
        .padStart(7)} req/s  p99 ${of(variant, (r) => r.p99)} ms  server CPU ${of(variant, (r) => r.cpuPerRequest).toFixed(1)} µs/req`,
    );
  }
  console.log(
    "\nratios (of the medians; and the median of each round's own ratio, which a machine whose speed drifts between rounds disturbs less):",
  );
  for (const [variant, baseline, target] of ratios) {
    const ofVariant = runs.get(variant);
    const ofBaseline = runs.get(baseline);
    if (ofVariant === undefined || ofBaseline === undefined) continue;
    const throughput = of(variant, (r) => r.rps) / of(baseline, (r) => r.rps);
    const cpu = of(baseline, (r) => r.cpuPerRequest) / of(variant, (r) => r.cpuPerRequest);
    const paired = median(ofVariant.map((run, round) => run.rps / (ofBaseline[round] as LoadRun).rps));
    console.log(
      `  ${`${variant} / ${baseline}`.padEnd(30)} throughput ${throughput.toFixed(3)}, by round ${paired.toFixed(3)}${target === undefined ? "" : ` (target ≥ ${target.toFixed(2)})`}  requests per CPU-second ${cpu.toFixed(3)}`,
    );
  }
}
