// Attacks on a decision log in PostgreSQL and on its witness (PostgreSQL or Redis), as someone with the log table's credentials would.
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Guardian } from "../../../src/index.js";
import { Chain } from "../../../src/log/chain.js";
import { logMac } from "../../../src/log/mac.js";
import { PostgresSink } from "../../../src/log/postgres-sink.js";
import { logTable } from "../../../src/log/read.js";
import { settleRecord } from "../../../src/log/records.js";
import { verifyStoredLog, type VerifyReport } from "../../../src/log/verify.js";
import { openWitnessStore } from "../../../src/log/witness-stores.js";
import { describeWithPostgres, suitePostgres, uniqueTable } from "../../support/postgres.js";
import { describeWithRedis, redisForTests, uniquePrefix } from "../../support/redis.js";
import { loggingGuardian, quickstartWithLogging } from "../../unit/log/log-support.js";

const KEY = "attack-suite-pg-key-0123456789abcdef";

/** Runs one SQL statement on its own connection. */
async function sql(url: string, text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

/** A guardian logging into `table` with the key, a checkpoint every 10 records, and `witness` when given. */
function guardianInto(url: string, table: string, witness?: { url: string; name: string }): Guardian {
  const extra = witness === undefined ? [] : [`witness: ${JSON.stringify(witness.url)}`, `name: ${JSON.stringify(witness.name)}`];
  const lines = [`postgres_url: ${JSON.stringify(url)}`, `postgres_table: ${table}`, "checkpoint_every: 10", ...extra];
  return loggingGuardian(quickstartWithLogging(lines), { env: { HEXARCH_LOG_KEY: KEY } });
}

/** Verifies `table` with the key, against the heads `witness` holds for `name` when given. */
async function verifyTable(url: string, table: string, witness?: { url: string; name: string }): Promise<VerifyReport> {
  let heads: { where: string; text: string }[] | undefined;
  if (witness !== undefined) {
    const store = openWitnessStore(witness.url, { file: "<test>", path: "witness" }, process.cwd());
    heads = await store.heads(witness.name);
    await store.close();
  }
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  pool.on("error", () => undefined);
  const log = logTable(pool, table);
  try {
    return await verifyStoredLog(log, KEY, heads);
  } finally {
    await log.close();
  }
}

/** Writes `decisions` decisions into `table`, then closes the guardian. */
async function decide(guardian: Guardian, decisions: number): Promise<void> {
  for (let i = 0; i < decisions; i += 1) await guardian.check("rate_limit", { client: `c${i}` });
  await guardian.close();
}

describeWithPostgres("attacks on a keyed log in PostgreSQL", "any", () => {
  const postgresUrl = suitePostgres();
  let url: string;
  beforeAll(() => void (url = postgresUrl()));

  it("rows of a chain sealed with plain SHA-256, INSERTed among the real ones, are named as unkeyed", async () => {
    const table = uniqueTable("atk_rows");
    await decide(guardianInto(url, table), 5);
    const forger = new Chain(logMac(undefined), { instance: "forger", policyFile: "hexarch.yaml", policyDigest: "0" });
    const sink = new PostgresSink(new pg.Pool({ connectionString: url, max: 1 }), table);
    const batch = forger.seal([settleRecord("d-forged", Date.now(), "api_budget", 0)], false);
    await sink.append(batch);
    await sink.close();
    const report = await verifyTable(url, table);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([expect.objectContaining({ what: "unkeyed", chain: forger.id })]);
    await sql(url, `DROP TABLE ${table}, ${table}_checkpoints`);
  });

  it("DELETEing the last rows with their checkpoints verifies without a witness, and fails against a PostgreSQL witness", async () => {
    const table = uniqueTable("atk_cut");
    const witness = { url, name: `table:${table}` };
    await decide(guardianInto(url, table, witness), 30);
    expect((await verifyTable(url, table, witness)).problems).toEqual([]);
    await sql(url, `DELETE FROM ${table} WHERE seq > 15`);
    await sql(url, `DELETE FROM ${table}_checkpoints WHERE seq > 15`);
    // What one machine's credentials can do, a second place cannot see undone: the limit this suite pins.
    expect((await verifyTable(url, table)).ok).toBe(true);
    const report = await verifyTable(url, table, witness);
    expect(report.problems).toEqual([expect.objectContaining({ what: "truncated", seq: 15 })]);
    await sql(url, `TRUNCATE ${table}, ${table}_checkpoints`);
    expect((await verifyTable(url, table, witness)).problems).toEqual([expect.objectContaining({ what: "deleted" })]);
    await sql(url, `DROP TABLE ${table}, ${table}_checkpoints`);
  });

  it("a replayed old head appended to the PostgreSQL witness does not move the chain's head back", async () => {
    const table = uniqueTable("atk_replay");
    const witness = { url, name: `table:${table}` };
    await decide(guardianInto(url, table, witness), 25);
    const { rows } = await sql(url, "SELECT line FROM hexarch_log_witness WHERE name = $1 ORDER BY seq LIMIT 1", [witness.name]);
    await sql(
      url,
      "INSERT INTO hexarch_log_witness (name, chain, seq, line) SELECT name, chain, seq, line FROM hexarch_log_witness WHERE line = $1",
      [rows[0]?.["line"]],
    );
    await sql(url, `DELETE FROM ${table} WHERE seq > 12`);
    await sql(url, `DELETE FROM ${table}_checkpoints WHERE seq > 12`);
    expect((await verifyTable(url, table, witness)).problems).toEqual([expect.objectContaining({ what: "truncated", seq: 12 })]);
    await sql(url, `DROP TABLE ${table}, ${table}_checkpoints`);
  });

  it("a witness that cannot be reached never holds up a decision or the guardian's close for long", async () => {
    const table = uniqueTable("atk_down");
    const guardian = guardianInto(url, table, { url: "redis://127.0.0.1:1", name: "down" });
    const started = performance.now();
    for (let i = 0; i < 30; i += 1) expect((await guardian.check("rate_limit", { client: `c${i}` })).outcome).toBe("allow");
    expect(performance.now() - started).toBeLessThan(1000);
    const closing = performance.now();
    await guardian.close();
    expect(performance.now() - closing).toBeLessThan(8000);
    const report = await verifyTable(url, table);
    expect(report).toMatchObject({ ok: true, problems: [] });
    await sql(url, `DROP TABLE ${table}, ${table}_checkpoints`);
  }, 20_000);
});

describeWithRedis("attacks on a Redis witness", "any", () => {
  let redis: Awaited<ReturnType<typeof redisForTests>>;
  beforeAll(async () => {
    redis = await redisForTests();
  });
  afterAll(() => redis.release());

  it("keeps each chain's latest head: an older head sent again does not move it back", async () => {
    const store = openWitnessStore(redis.url, { file: "<test>", path: "witness" }, process.cwd());
    const name = uniquePrefix("witness");
    const chain = new Chain(logMac(KEY), { instance: "w", policyFile: "x", policyDigest: "x" });
    const newer = chain.checkpoint(Date.now(), 20, "b".repeat(64));
    const older = chain.checkpoint(Date.now(), 10, "a".repeat(64));
    await store.put(name, newer, JSON.stringify(newer));
    await store.put(name, older, JSON.stringify(older));
    const heads = await store.heads(name);
    await store.close();
    expect(heads.map((head) => (JSON.parse(head.text) as { seq: number }).seq)).toEqual([20]);
  });
});
