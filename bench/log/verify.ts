// `hexarch log verify` throughput: records per second on a log of BENCH_LOG_RECORDS decisions (default 1,000,000), single-threaded.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type * as Package from "../../src/index.js";
import { BENCH_DIST, buildBenchDist, LOAD, median } from "../http-load.js";
import { BENCH_POLICIES } from "../policies.js";

const RECORDS = Number(process.env["BENCH_LOG_RECORDS"] ?? 1_000_000);
const FOLDER = fileURLToPath(new URL("../../.tmp/bench-log/", import.meta.url));
const LOG = `${FOLDER}verify-${RECORDS}.log`;
const KEY = "bench-log-key-0123456789abcdef";

const fromSource = process.env["BENCH_SOURCE"] === "1";
if (!fromSource) buildBenchDist();
const { createGuardian } = (await import(fromSource ? "../../src/index.js" : `${BENCH_DIST}index.js`)) as typeof Package;
/** The CLI as users run it (the built bundle), or from source with BENCH_SOURCE=1. */
const CLI = fromSource ? ["--import", "tsx", fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url))] : [`${BENCH_DIST}cli.js`];

/** Writes the log once (kept in .tmp/ for later runs): decisions from 100 clients, flushed as an app would. */
async function writeLog(): Promise<void> {
  mkdirSync(FOLDER, { recursive: true });
  const guardian = createGuardian({
    policyText: `${BENCH_POLICIES}\nlogging:\n  file: ${JSON.stringify(LOG)}\n  buffer: 100000\n`,
    env: { HEXARCH_LOG_KEY: KEY },
  });
  for (let i = 0; i < RECORDS; i += 1) {
    await guardian.check("rate_limit", { client: `10.0.0.${i % 100}`, route: `/items/${i}`, method: "GET" });
    if (i % 20_000 === 19_999) await new Promise((done) => setTimeout(done, 110));
  }
  await guardian.close();
}

if (!existsSync(LOG)) await writeLog();
const megabytes = statSync(LOG).size / 1e6;
console.log(
  `hexarch log verify: ${RECORDS} decisions (${megabytes.toFixed(0)} MB, HMAC-SHA256), ${fromSource ? "CLI from source" : "built CLI"}, ${LOAD.rounds} rounds, one process`,
);
const rates: number[] = [];
for (let round = 1; round <= LOAD.rounds; round += 1) {
  const started = process.hrtime.bigint();
  execFileSync(process.execPath, [...CLI, "log", "verify", LOG], { env: { ...process.env, HEXARCH_LOG_KEY: KEY }, stdio: "ignore" });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  rates.push((RECORDS + 1) / seconds);
  console.log(`round ${round}  ${seconds.toFixed(2)} s  ${((RECORDS + 1) / seconds).toFixed(0)} records/s`);
}
console.log(`\nmedian: ${median(rates).toFixed(0)} records/s`);
