// Express with every decision logged (level info): file sink and Postgres sink against the same app without logging, in one run.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { givenPostgresUrl, PostgresServer } from "../../tests/support/postgres.js";
import { benchVariants, buildBenchDist, compareVariants, LOAD, measureServer } from "../http-load.js";

const SERVER = fileURLToPath(new URL("../express/server.ts", import.meta.url));
const folder = mkdtempSync(join(tmpdir(), "hexarch-bench-log-"));
const own = givenPostgresUrl() === undefined ? await PostgresServer.start() : undefined;
const url = givenPostgresUrl() ?? own?.url ?? "";
const table = `bench_log_${process.pid}`;
process.env["LOG_URL"] = url;
process.env["LOG_TABLE"] = table;

let run = 0;
/** Each run logs into a fresh file, so no run appends to (or rotates) another's. */
const measure = measureServer(SERVER, (variant) => {
  run += 1;
  process.env["LOG_FILE"] = join(folder, `run-${run}.log`);
  return [variant];
});

try {
  if (process.env["BENCH_SOURCE"] !== "1") buildBenchDist();
  console.log(
    `Express + hexarch(), Quick Start policies, every decision logged: GET /items, ${LOAD.connections} connections, ${LOAD.warmup} s warm-up + ${LOAD.duration} s per run, ${LOAD.rounds} rounds; Postgres at ${own === undefined ? "the given URL" : "a server of the bench's own"}`,
  );
  // plain+file and plain+postgres: the floor of any log of every decision (bench/log/plain-log.ts).
  await compareVariants(benchVariants(["hexarch", "hexarch+file", "hexarch+postgres", "plain+file", "plain+postgres"]), measure, [
    ["hexarch+file", "hexarch", 0.9],
    ["hexarch+postgres", "hexarch", 0.85],
    ["plain+file", "hexarch", undefined],
    ["plain+postgres", "hexarch", undefined],
  ]);
} finally {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP TABLE IF EXISTS ${table}, ${table}_checkpoints, ${table}_plain`);
  await client.end();
  await own?.remove();
  rmSync(folder, { recursive: true, force: true });
}
