// `hexarch replay` throughput and memory: decisions per second for the whole default command (verify included), peak RSS at two lengths.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type * as Package from "../../src/index.js";
import { BENCH_DIST, buildBenchDist, LOAD, median } from "../http-load.js";
import { BENCH_POLICIES } from "../policies.js";

const RECORDS = Number(process.env["BENCH_LOG_RECORDS"] ?? 200_000);
const FOLDER = fileURLToPath(new URL("../../.tmp/bench-log/", import.meta.url));
const KEY = "bench-log-key-0123456789abcdef";
const POLICY = `${FOLDER}replay-policy.yaml`;

const fromSource = process.env["BENCH_SOURCE"] === "1";
if (!fromSource) buildBenchDist();
const { createGuardian } = (await import(fromSource ? "../../src/index.js" : `${BENCH_DIST}index.js`)) as typeof Package;
/** The CLI as users run it (the built bundle), or from source with BENCH_SOURCE=1. */
const CLI = fromSource ? ["--import", "tsx", fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url))] : [`${BENCH_DIST}cli.js`];
/**
 * BENCH_BASELINE_CLI: another build's cli.js (say, of the commit before a change, copied under .tmp/ so it finds node_modules),
 * run in the same rounds, in turn with this one, so that before and after meet the same load.
 */
const BASELINE = process.env["BENCH_BASELINE_CLI"];
/** Prints the process's peak RSS (KiB) and CPU time (µs, user + system) on stderr as it exits. */
const USAGE =
  "data:text/javascript,process.on('exit',()=>{const u=process.resourceUsage();" +
  "process.stderr.write('usage '+u.maxRSS+' '+(u.userCPUTime+u.systemCPUTime)+'\\n')})";

/**
 * Writes a log of `records` decisions once (kept in .tmp/ for later runs): 100 clients on 50 routes, as the middleware and as
 * check("rate_limit") asks, one call every 2 ms of the guardian's clock, flushed as an app would.
 */
async function writeLog(path: string, records: number): Promise<void> {
  let now = Date.parse("2026-12-01T00:00:00Z");
  const guardian = createGuardian({
    policyText: `${BENCH_POLICIES}\nlogging:\n  file: ${JSON.stringify(path)}\n  buffer: 100000\n`,
    env: { HEXARCH_LOG_KEY: KEY },
    clock: () => now,
  });
  for (let i = 0; i < records; i += 1) {
    now += 2;
    const context = { client: `10.0.0.${i % 100}`, route: `/items/${i % 50}`, method: "GET", operation: "read" };
    await (i % 2 === 0 ? guardian.evaluate(context) : guardian.check("rate_limit", context));
    if (i % 20_000 === 19_999) await new Promise((done) => setTimeout(done, 110));
  }
  await guardian.close();
}

/**
 * Runs the CLI once: its wall time and CPU time in seconds, and peak RSS in MB. On a machine shared with other work the
 * CPU time is the steadier figure (wall time waits for the cores too).
 */
function run(args: readonly string[], cli: readonly string[] = CLI): { seconds: number; cpuSeconds: number; rssMb: number } {
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ["--import", USAGE, ...cli, ...args], {
    env: { ...process.env, HEXARCH_LOG_KEY: KEY },
    encoding: "utf8",
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (child.status !== 0) throw new Error(`hexarch ${args.join(" ")} exited ${String(child.status)}: ${child.stderr}`);
  const usage = /usage (\d+) (\d+)/.exec(child.stderr);
  return { seconds, cpuSeconds: Number(usage?.[2] ?? Number.NaN) / 1e6, rssMb: Number(usage?.[1] ?? Number.NaN) / 1024 };
}

mkdirSync(FOLDER, { recursive: true });
writeFileSync(POLICY, BENCH_POLICIES);
const lengths = [RECORDS / 2, RECORDS];
for (const length of lengths) {
  const log = `${FOLDER}replay-${length}.log`;
  if (!existsSync(log)) await writeLog(log, length);
}
const log = `${FOLDER}replay-${RECORDS}.log`;
console.log(
  `hexarch replay: ${RECORDS} decisions (${(statSync(log).size / 1e6).toFixed(0)} MB, HMAC-SHA256), candidate = the same file, ` +
    `${fromSource ? "CLI from source" : "built CLI"}, ${LOAD.rounds} rounds, one process; log verify alone on the same file each round` +
    (BASELINE === undefined ? "" : `; baseline ${BASELINE} in turn`),
);
execFileSync(process.execPath, [...CLI, "replay", POLICY, "--log", log, "--fail-on-change"], {
  env: { ...process.env, HEXARCH_LOG_KEY: KEY },
});
type Rates = { replay: number[]; replayCpu: number[]; verify: number[]; verifyCpu: number[] };
const perSecond = (seconds: number): string => `${(RECORDS / seconds).toFixed(0)}/s`;
const med = (values: readonly number[]): string => median(values).toFixed(0);

/** One round of one CLI: replay, then log verify alone, each in its own process; the rates go into `into`. */
function round(label: string, cli: readonly string[], into: Rates): void {
  const replay = run(["replay", POLICY, "--log", log], cli);
  const verify = run(["log", "verify", log], cli);
  into.replay.push(RECORDS / replay.seconds);
  into.replayCpu.push(RECORDS / replay.cpuSeconds);
  into.verify.push(RECORDS / verify.seconds);
  into.verifyCpu.push(RECORDS / verify.cpuSeconds);
  console.log(
    `${label}  replay ${replay.seconds.toFixed(2)} s wall (${perSecond(replay.seconds)}), ${replay.cpuSeconds.toFixed(2)} s CPU ` +
      `(${perSecond(replay.cpuSeconds)});  log verify alone ${verify.seconds.toFixed(2)} s wall (${perSecond(verify.seconds)}), ` +
      `${verify.cpuSeconds.toFixed(2)} s CPU (${perSecond(verify.cpuSeconds)})`,
  );
}

const rates: Rates = { replay: [], replayCpu: [], verify: [], verifyCpu: [] };
const baseline: Rates = { replay: [], replayCpu: [], verify: [], verifyCpu: [] };
for (let n = 1; n <= LOAD.rounds; n += 1) {
  // With a baseline, the two go first in turn, so neither always meets the machine warmer or busier.
  const order = BASELINE === undefined ? ["this"] : n % 2 === 1 ? ["this", "baseline"] : ["baseline", "this"];
  for (const which of order) {
    if (which === "this") round(`round ${n}${BASELINE === undefined ? "" : " this    "}`, CLI, rates);
    else round(`round ${n} baseline`, [BASELINE as string], baseline);
  }
}
for (const [label, of] of BASELINE === undefined
  ? [["", rates] as const]
  : [["this     ", rates] as const, ["baseline ", baseline] as const]) {
  console.log(`\n${label}median decisions/s: replay ${med(of.replay)} wall, ${med(of.replayCpu)} per CPU-second`);
  console.log(`${label}median records/s:  log verify alone ${med(of.verify)} wall, ${med(of.verifyCpu)} per CPU-second`);
}
for (const length of lengths) {
  const { rssMb } = run(["replay", POLICY, "--log", `${FOLDER}replay-${length}.log`]);
  console.log(`peak RSS, replay of ${length} decisions: ${rssMb.toFixed(0)} MB`);
}
