// The decision log's cost per decision in one process, without HTTP: N `evaluate()` calls on the Quick Start policies,
// yielding to the event loop every 50 calls as a server does (so the log's flush timer runs), CPU of the whole process.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGuardian } from "../../src/index.js";
import pg from "pg";
import { givenPostgresUrl } from "../../tests/support/postgres.js";
import { inTurn, median } from "../http-load.js";
import { BENCH_POLICIES } from "../policies.js";

const CALLS = Number(process.env["BENCH_CALLS"] ?? 200_000);
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 3);
const folder = mkdtempSync(join(tmpdir(), "hexarch-bench-log-cpu-"));
const url = givenPostgresUrl();
const table = `bench_cpu_${process.pid}`;

function logging(variant: string, round: number): string {
  if (variant === "file") return `\nlogging:\n  file: ${JSON.stringify(join(folder, `r${round}.log`))}\n`;
  if (variant === "postgres") return `\nlogging:\n  postgres_url: ${JSON.stringify(url)}\n  postgres_table: ${table}\n`;
  return "";
}

/** CPU microseconds per decision, flush and close included. */
async function perDecision(variant: string, round: number): Promise<number> {
  const guardian = createGuardian({ policyText: `${BENCH_POLICIES}${logging(variant, round)}` });
  const context = { method: "GET", route: "/items", operation: "read", client: "127.0.0.1" };
  for (let i = 0; i < 2_000; i++) await guardian.evaluate(context);
  const start = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) {
    await guardian.evaluate(context);
    if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
  }
  await guardian.close();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / CALLS;
}

const variants = url === undefined ? ["none", "file"] : ["none", "file", "postgres"];
const results = new Map<string, number[]>(variants.map((v) => [v, []]));
for (let round = 1; round <= ROUNDS; round++) {
  for (const variant of inTurn(variants, round)) {
    const micros = await perDecision(variant, round);
    results.get(variant)?.push(micros);
    console.log(`round ${round}  ${variant.padEnd(9)} ${micros.toFixed(2)} µs CPU per decision`);
  }
}
for (const [variant, values] of results) console.log(`median ${variant.padEnd(9)} ${median(values).toFixed(2)} µs`);
rmSync(folder, { recursive: true, force: true });
if (url !== undefined) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP TABLE IF EXISTS ${table}, ${table}_checkpoints`);
  await client.end();
}
