// The PostgreSQL sink: one append-only table (created on first use) shared by every process's chain, plus a checkpoint table.
import type { SealedBatch } from "./chain.js";
import { PartialWrite, type LogSink } from "./sink.js";

/** The part of a `pg` Pool this sink uses. */
export interface PgPoolLike {
  query(text: string, values?: readonly unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): unknown;
}

/** The `pg` module, as far as this package uses it. */
export interface PgModule {
  Pool: new (config: {
    connectionString: string;
    max?: number;
    connectionTimeoutMillis?: number;
    query_timeout?: number;
    idleTimeoutMillis?: number;
    allowExitOnIdle?: boolean;
  }) => PgPoolLike;
}

/** Default table name. */
export const DEFAULT_LOG_TABLE = "hexarch_decision_log";

/**
 * The SQL that creates the log table and its checkpoint table (also printed in the README for teams that run migrations).
 * @example await pool.query(createTableSql("hexarch_decision_log"))
 */
export function createTableSql(table: string): string {
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (`,
    "  id bigserial PRIMARY KEY,",
    "  chain text NOT NULL,",
    "  seq bigint NOT NULL,",
    "  type text NOT NULL,",
    "  time timestamptz NOT NULL DEFAULT now(),",
    "  line text NOT NULL,",
    "  UNIQUE (chain, seq)",
    ");",
    `CREATE TABLE IF NOT EXISTS ${table}_checkpoints (`,
    "  id bigserial PRIMARY KEY,",
    "  chain text NOT NULL,",
    "  seq bigint NOT NULL,",
    "  line text NOT NULL",
    ");",
  ].join("\n");
}

/** Rows per INSERT, bounding the size of one statement's parameters. */
const ROWS_PER_INSERT = 1000;

/**
 * The INSERT of a batch: `$1` the chain, `$2` the first seq, `$3`/`$4`/`$5` the types, times and lines, each joined by
 * newlines. One statement text whatever the batch size (Postgres parses it once per connection). A sealed line never
 * holds a raw newline (JSON escapes it), and a text parameter goes as it is, where an array parameter had every quote
 * in every line escaped first (bench/README.md). With "skip stored rows", rows already stored are skipped one by one.
 * @example await pool.query(insertSql("hexarch_decision_log"), [chain, 0, types, times, lines])
 */
export function insertSql(table: string, stored: "fail on stored rows" | "skip stored rows" = "fail on stored rows"): string {
  const sql = `INSERT INTO ${table} (chain, seq, type, time, line) SELECT $1, $2::bigint + n - 1, type, COALESCE(NULLIF(time, '')::timestamptz, now()), line FROM unnest(string_to_array($3, E'\\n'), string_to_array($4, E'\\n'), string_to_array($5, E'\\n')) WITH ORDINALITY AS batch(type, time, line, n)`;
  return stored === "skip stored rows" ? `${sql} ON CONFLICT (chain, seq) DO NOTHING` : sql;
}

/** SQLSTATE of a unique violation: here, rows of this chain and these seqs are already stored. */
const UNIQUE_VIOLATION = "23505";

/**
 * Appends sealed lines to a PostgreSQL table, a batch per INSERT. A retried batch that had already landed (its reply
 * was lost) meets its own rows: the INSERT is then made again with `ON CONFLICT (chain, seq) DO NOTHING`, which
 * skips them row by row, so a lost reply never duplicates a record. Only retries pay for that clause: checking every
 * row for a conflict costs Postgres 1.7 µs a row, 12.9 µs with it and 11.2 without (`npm run bench:log:rows`).
 * @example const sink = new PostgresSink(new pg.Pool({ connectionString: url }), "hexarch_decision_log");
 */
export class PostgresSink implements LogSink {
  readonly name: string;
  readonly #pool: PgPoolLike;
  readonly #table: string;
  #created: Promise<void> | undefined;

  constructor(pool: PgPoolLike, table: string) {
    this.#pool = pool;
    this.#table = table;
    this.name = `postgres table ${table}`;
  }

  #ensureTable(): Promise<void> {
    this.#created ??= this.#pool.query(createTableSql(this.#table)).then(
      () => undefined,
      (error: unknown) => {
        this.#created = undefined;
        throw error;
      },
    );
    return this.#created;
  }

  async rotateIfFull(): Promise<boolean> {
    return false;
  }

  async append(batch: SealedBatch): Promise<void> {
    await this.#ensureTable();
    const { lines, types, times } = batch;
    const firstSeq = batch.seq - lines.length + 1;
    const sql = insertSql(this.#table);
    for (let start = 0; start < lines.length; start += ROWS_PER_INSERT) {
      const end = Math.min(start + ROWS_PER_INSERT, lines.length);
      const joined = (column: readonly (string | null)[]): string => column.slice(start, end).join("\n");
      const values = [batch.chain, firstSeq + start, joined(types), joined(times), joined(lines)];
      await this.#pool.query(sql, values).catch((error: unknown) => {
        if ((error as { code?: unknown }).code === UNIQUE_VIOLATION)
          return this.#pool.query(insertSql(this.#table, "skip stored rows"), values);
        // The INSERTs before this one are stored: a retry starts after their rows.
        if (start === 0) throw error;
        throw new PartialWrite(start, error instanceof Error ? error.message : String(error), { cause: error });
      });
    }
  }

  async appendCheckpoint(line: string): Promise<void> {
    await this.#ensureTable();
    const { chain, seq } = JSON.parse(line) as { chain: string; seq: number };
    await this.#pool.query(`INSERT INTO ${this.#table}_checkpoints (chain, seq, line) VALUES ($1, $2, $3)`, [chain, seq, line]);
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
