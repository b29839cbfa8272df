// The Postgres sink against a real server: appends verify, edits and deletions show, outages are survived or refused, two writers share a
// table.
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Guardian, Logger } from "../../../src/index.js";
import { Chain } from "../../../src/log/chain.js";
import { LOG_UNAVAILABLE } from "../../../src/log/decision-log.js";
import { logMac } from "../../../src/log/mac.js";
import { PostgresSink } from "../../../src/log/postgres-sink.js";
import type { RecordBody } from "../../../src/log/records.js";
import { logTable } from "../../../src/log/read.js";
import { verifyStoredLog } from "../../../src/log/verify.js";
import { describeWithPostgres, PostgresServer, suitePostgres, uniqueTable } from "../../support/postgres.js";
import { loggingGuardian, quickstartWithLogging } from "../../unit/log/log-support.js";

/** A guardian logging into `table` at `url`, with extra `logging:` lines. */
function guardianInto(url: string, table: string, extra: readonly string[] = [], logger?: Logger): Guardian {
  return loggingGuardian(
    quickstartWithLogging([`postgres_url: ${JSON.stringify(url)}`, `postgres_table: ${table}`, ...extra]),
    logger === undefined ? {} : { logger },
  );
}

/** Verifies the log in `table`. */
async function verifyTable(url: string, table: string) {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  // An idle connection cut by a server stop must not become an uncaught error of the test process.
  pool.on("error", () => undefined);
  const log = logTable(pool, table);
  try {
    return await verifyStoredLog(log, undefined);
  } finally {
    await log.close();
  }
}

/** Runs one SQL statement. */
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

/** A logger that keeps the codes of its error calls. */
function errorCodes(): Logger & { codes: unknown[] } {
  const codes: unknown[] = [];
  return { codes, info() {}, warn() {}, error: (object) => void codes.push(object["code"]) };
}

describeWithPostgres("decision log: Postgres sink", "any", () => {
  const postgresUrl = suitePostgres();
  let url: string;
  beforeAll(() => void (url = postgresUrl()));

  it("does not store a row whose seq, type or time columns disagree with its line", async () => {
    const table = uniqueTable("log");
    const guardian = guardianInto(url, table);
    for (let i = 0; i < 5; i += 1) await guardian.check("rate_limit", { client: `c${i}` });
    await guardian.close();
    const { rows } = await sql(url, `SELECT chain, seq::int AS seq, type, time, line FROM ${table} ORDER BY id`);
    expect(rows.map((row) => row["seq"])).toEqual([0, 1, 2, 3, 4, 5]);
    for (const row of rows) {
      const line = JSON.parse(row["line"] as string) as { chain: string; seq: number; type: string; time?: string };
      expect([row["chain"], row["seq"], row["type"]]).toEqual([line.chain, line.seq, line.type]);
      // The header has no time of its own: the row's is when it was stored.
      if (line.time !== undefined) expect((row["time"] as Date).toISOString()).toBe(line.time);
      else expect(row["time"]).toBeInstanceOf(Date);
    }
  });

  it("does not duplicate the rows of a retried batch whose first write landed but whose reply was lost", async () => {
    const table = uniqueTable("retry");
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    const sink = new PostgresSink(pool, table);
    const chain = new Chain(logMac(undefined), { instance: "retry-test", policyFile: "hexarch.yaml", policyDigest: "d" });
    const body = (n: number): RecordBody => ({
      type: "settle",
      id: `d-${n}`,
      time: new Date(Date.UTC(2026, 11, 4, 8, 0, n)).toISOString(),
      cost: n,
    });
    // The first write lands, but the log never hears so (no commit): it seals the same records again, plus newer ones.
    await sink.append(chain.seal([1, 2, 3].map(body), false));
    const retried = chain.seal([1, 2, 3, 4, 5].map(body), false);
    await sink.append(retried);
    chain.commit(retried);
    await sink.close();
    const { rows } = await sql(url, `SELECT seq::int AS seq FROM ${table} ORDER BY id`);
    expect(rows.map((row) => row["seq"])).toEqual([0, 1, 2, 3, 4, 5]);
    const verified = await verifyTable(url, table);
    expect(verified.problems).toEqual([]);
    expect(verified.chains).toEqual([expect.objectContaining({ records: 6, broken: false })]);
    await sql(url, `DROP TABLE ${table}, ${table}_checkpoints`);
  });

  it("creates its table on first use, and verify names an UPDATEd row and a DELETEd one", async () => {
    const table = uniqueTable("log");
    const guardian = guardianInto(url, table);
    for (let i = 0; i < 20; i += 1) await guardian.check("rate_limit", { client: `c${i}` });
    await guardian.close();
    const intact = await verifyTable(url, table);
    expect(intact.problems).toEqual([]);
    expect(intact.chains).toEqual([expect.objectContaining({ records: 21, broken: false })]);
    await sql(url, `UPDATE ${table} SET line = replace(line, '"client":"c7"', '"client":"c8"') WHERE seq = 8`);
    expect((await verifyTable(url, table)).problems[0]).toMatchObject({
      what: "edited",
      seq: 8,
      where: expect.stringMatching(new RegExp(`^${table} row \\d+$`)),
    });
    await sql(url, `DELETE FROM ${table} WHERE seq BETWEEN 8 AND 9`);
    expect((await verifyTable(url, table)).problems[0]).toMatchObject({ what: "deleted", seq: 10 });
    await sql(url, `DROP TABLE ${table}, ${table}_checkpoints`);
  });

  it("counts two processes' decisions exactly, each in its own intact chain", async () => {
    const table = uniqueTable("two");
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
    const worker = join(import.meta.dirname, "log-worker.ts");
    const run = () =>
      new Promise<number>((done, fail) =>
        execFile(
          process.execPath,
          ["--import", tsx, worker],
          { env: { ...process.env, LOG_URL: url, LOG_TABLE: table, DECISIONS: "2000" } },
          (error, stdout) =>
            error === null ? done(Number(stdout.trim())) : fail(new Error(`log worker failed: ${error.message}`, { cause: error })),
        ),
      );
    const made = await Promise.all([run(), run()]);
    const report = await verifyTable(url, table);
    expect(report).toMatchObject({ ok: true, problems: [] });
    expect(report.chains).toHaveLength(2);
    const { rows } = await sql(url, `SELECT count(*)::int AS n FROM ${table} WHERE type = 'decision'`);
    expect(rows[0]?.n).toBe(made[0] + made[1]);
    expect(made).toEqual([2000, 2000]);
    await sql(url, `DROP TABLE ${table}, ${table}_checkpoints`);
  }, 120_000);
});

describeWithPostgres("decision log: Postgres stopped and restarted", "own-server", () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await PostgresServer.start();
  }, 60_000);
  afterAll(() => server.remove());

  it("keeps deciding while the database is down, warns once, and records the loss as a gap once it is back", async () => {
    const table = uniqueTable("outage");
    const logger = errorCodes();
    const guardian = guardianInto(server.url, table, ["buffer: 5"], logger);
    for (let i = 0; i < 3; i += 1) await guardian.check("rate_limit", { client: "a" });
    await sleep(400);
    await server.stop();
    for (let i = 0; i < 12; i += 1) expect((await guardian.check("rate_limit", { client: "b" })).outcome).toBe("allow");
    await sleep(1500);
    expect(logger.codes).toEqual([LOG_UNAVAILABLE]);
    await server.restart();
    await sleep(1500);
    await guardian.close();
    const report = await verifyTable(server.url, table);
    expect(report).toMatchObject({ ok: true, problems: [] });
    expect(report.chains[0]?.gaps).toEqual([expect.objectContaining({ lost: 7 })]);
    const { rows } = await sql(server.url, `SELECT count(*)::int AS n FROM ${table} WHERE type = 'decision'`);
    expect(rows[0]?.n).toBe(3 + 5);
  }, 60_000);

  it("with logging.required, refuses calls while the database is down and decides again once it is back", async () => {
    const table = uniqueTable("required");
    const guardian = guardianInto(server.url, table, ["required: true"], errorCodes());
    expect((await guardian.check("rate_limit", { client: "a" })).outcome).toBe("allow");
    await sleep(400);
    await server.stop();
    await guardian.check("rate_limit", { client: "a" });
    await sleep(1500);
    expect((await guardian.check("rate_limit", { client: "a" })).outcome).toBe("error");
    await server.restart();
    await sleep(2000);
    expect((await guardian.check("rate_limit", { client: "a" })).outcome).toBe("allow");
    await guardian.close();
    expect((await verifyTable(server.url, table)).ok).toBe(true);
  }, 60_000);
});
