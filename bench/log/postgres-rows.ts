// PostgreSQL's own CPU per stored log row (the backend's user + system time from /proc), for the sink's INSERT, the
// same INSERT with ON CONFLICT (what a retry sends), and a plain one-column table (the floor of any log). Batches of
// 700 sealed decision lines, as a server at 7,000 requests per second writes every 100 ms. Linux only.
import { readFileSync } from "node:fs";
import pg from "pg";
import { Chain, type SealedBatch } from "../../src/log/chain.js";
import { logMac } from "../../src/log/mac.js";
import { createTableSql, insertSql } from "../../src/log/postgres-sink.js";
import { givenPostgresUrl, PostgresServer } from "../../tests/support/postgres.js";
import { inTurn, median } from "../http-load.js";
import { benchDecisionRecords } from "./decision-records.js";

const BATCH = 700;
const BATCHES = Number(process.env["BENCH_BATCHES"] ?? 150);
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 5);
const TABLE = `bench_rows_${process.pid}`;

const own = givenPostgresUrl() === undefined ? await PostgresServer.start() : undefined;
const client = new pg.Client({ connectionString: givenPostgresUrl() ?? own?.url });
await client.connect();
const backend = Number((await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]?.pid);

/** CPU milliseconds the backend has used (utime + stime, in clock ticks of 10 ms). */
function backendCpuMs(): number {
  const fields = readFileSync(`/proc/${backend}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const records = await benchDecisionRecords(BATCH);

/** Each table shape, and the parameters its INSERT takes from a sealed batch. */
const variants = {
  "the sink's INSERT": { create: createTableSql(TABLE), insert: insertSql(TABLE), values: sinkValues },
  "with ON CONFLICT": { create: createTableSql(TABLE), insert: insertSql(TABLE, "skip stored rows"), values: sinkValues },
  "plain one-column table": {
    create: `CREATE TABLE ${TABLE} (line text NOT NULL)`,
    insert: `INSERT INTO ${TABLE} (line) SELECT unnest(string_to_array($1, E'\\n'))`,
    values: (sealed: SealedBatch) => [sealed.lines.join("\n")],
  },
};

function sinkValues(sealed: SealedBatch): unknown[] {
  const firstSeq = sealed.seq - sealed.lines.length + 1;
  return [sealed.chain, firstSeq, sealed.types.join("\n"), sealed.times.join("\n"), sealed.lines.join("\n")];
}
type Variant = keyof typeof variants;

async function microsPerRow(variant: Variant): Promise<number> {
  await client.query(`DROP TABLE IF EXISTS ${TABLE}, ${TABLE}_checkpoints`);
  await client.query(variants[variant].create);
  const chain = new Chain(logMac(undefined), { instance: "bench", policyFile: "hexarch.yaml", policyDigest: "0" });
  const before = backendCpuMs();
  for (let batch = 0; batch < BATCHES; batch++) {
    const sealed = chain.seal(records, false);
    await client.query(variants[variant].insert, variants[variant].values(sealed));
    chain.commit(sealed);
  }
  return ((backendCpuMs() - before) * 1000) / (BATCH * BATCHES);
}

const names = Object.keys(variants) as Variant[];
const results = new Map<Variant, number[]>(names.map((name) => [name, []]));
try {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const name of inTurn(names, round)) results.get(name)?.push(await microsPerRow(name));
  }
  console.log(`PostgreSQL backend CPU per stored row (${BATCHES} batches of ${BATCH} rows, median of ${ROUNDS} rounds):`);
  for (const [name, values] of results)
    console.log(`  ${name.padEnd(24)} ${median(values).toFixed(1)} µs  (rounds ${values.map((v) => v.toFixed(1)).join(" ")})`);
} finally {
  await client.query(`DROP TABLE IF EXISTS ${TABLE}, ${TABLE}_checkpoints`);
  await client.end();
  await own?.remove();
}
