// Where a witness keeps chain heads: a PostgreSQL table, a Redis hash, or an HTTP(S) endpoint that receives each head as a POST.
import type { RedisOptions } from "ioredis";
import { WITNESS_URL_FIX, witnessUrlProblem } from "../engine/config/logging-checks.js";
import { PolicyConfigError, type ConfigProblem } from "../errors/config-error.js";
import { loadOptionalPeer } from "../optional-peer.js";
import type { Checkpoint } from "./chain.js";
import type { PgModule, PgPoolLike } from "./postgres-sink.js";
import { WITNESS_TIMEOUT_MS, type WitnessStore } from "./witness.js";

/** The table a PostgreSQL witness appends heads to. */
export const WITNESS_TABLE = "hexarch_log_witness";

/** The URL without user name and password, for messages. */
function shown(url: string): string {
  const parsed = new URL(url);
  parsed.username = "";
  parsed.password = "";
  return parsed.toString();
}

/**
 * The SQL that creates the PostgreSQL witness table: one row per head sent, never updated, so the role the app uses
 * needs INSERT and SELECT only, and nobody holding it can move a head back.
 */
export function witnessTableSql(): string {
  return [
    `CREATE TABLE IF NOT EXISTS ${WITNESS_TABLE} (`,
    "  id bigserial PRIMARY KEY,",
    "  name text NOT NULL,",
    "  chain text NOT NULL,",
    "  seq bigint NOT NULL,",
    "  line text NOT NULL,",
    "  stored timestamptz NOT NULL DEFAULT now()",
    ");",
  ].join("\n");
}

function postgresWitness(pool: PgPoolLike, url: string): WitnessStore {
  let created: Promise<unknown> | undefined;
  const ready = (): Promise<unknown> =>
    (created ??= pool.query(witnessTableSql()).catch((error: unknown) => {
      created = undefined;
      throw error;
    }));
  return {
    name: `postgres ${shown(url)} table ${WITNESS_TABLE}`,
    async put(log, head, line) {
      await ready();
      await pool.query(`INSERT INTO ${WITNESS_TABLE} (name, chain, seq, line) VALUES ($1, $2, $3, $4)`, [log, head.chain, head.seq, line]);
    },
    async heads(log) {
      await ready();
      const sql = `SELECT DISTINCT ON (chain) id::text AS row_id, line FROM ${WITNESS_TABLE} WHERE name = $1 ORDER BY chain, seq DESC, id DESC`;
      const { rows } = await pool.query(sql, [log]);
      return rows.map((row) => ({ where: `witness ${WITNESS_TABLE} row ${String(row["row_id"])}`, text: String(row["line"]) }));
    },
    close: () => pool.end(),
  };
}

/** The part of an ioredis client a Redis witness uses. */
interface RedisWitnessClient {
  eval(script: string, keys: number, ...args: (string | number)[]): Promise<unknown>;
  hgetall(key: string): Promise<Record<string, string>>;
  quit(): Promise<unknown>;
  disconnect(): void;
  on(event: "error", listener: (error: Error) => void): unknown;
}

/** Sets a chain's head only when it is later than the one held: a replayed old head cannot move it back. */
const PUT_IF_LATER = `local held = redis.call('HGET', KEYS[1], ARGV[1])
if held then
  local seq = tonumber(string.match(held, '"seq":(%d+)'))
  if seq and seq >= tonumber(ARGV[2]) then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1`;

/**
 * A connection per call: heads come every `checkpoint_every` records or `checkpoint_seconds` at most, and a socket held
 * open between them would keep the process from ever running out of work (the log closes itself then).
 */
function redisWitness(connect: () => RedisWitnessClient, url: string): WitnessStore {
  const key = (log: string): string => `hexarch:witness:${log}`;
  const withClient = async <T>(use: (client: RedisWitnessClient) => Promise<T>): Promise<T> => {
    const client = connect();
    try {
      return await use(client);
    } finally {
      await client.quit().catch(() => client.disconnect());
    }
  };
  return {
    name: `redis ${shown(url)}`,
    async put(log, head, line) {
      await withClient((client) => client.eval(PUT_IF_LATER, 1, key(log), head.chain, head.seq, line));
    },
    async heads(log) {
      const held = await withClient((client) => client.hgetall(key(log)));
      return Object.entries(held).map(([chain, text]) => ({ where: `witness ${key(log)} ${chain}`, text }));
    },
    async close() {},
  };
}

/** An endpoint that receives `{ name, head }` as a POST, and answers GET `?name=NAME` with the JSON array of heads it holds. */
function httpWitness(url: string): WitnessStore {
  return {
    name: shown(url),
    async put(log, head: Checkpoint) {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: log, head }),
        signal: AbortSignal.timeout(WITNESS_TIMEOUT_MS),
      });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
    },
    async heads(log) {
      const target = new URL(url);
      target.searchParams.set("name", log);
      const response = await fetch(target, { signal: AbortSignal.timeout(WITNESS_TIMEOUT_MS * 5) });
      if (!response.ok) throw new Error(`the witness ${shown(url)} answered HTTP ${response.status}`);
      const heads: unknown = await response.json();
      if (!Array.isArray(heads)) throw new Error(`the witness ${shown(url)} did not answer with a JSON array of heads`);
      return heads.map((head, index) => ({ where: `witness ${shown(url)} head ${index + 1}`, text: JSON.stringify(head) }));
    },
    async close() {},
  };
}

type IoredisConstructor = new (url: string, options: RedisOptions) => RedisWitnessClient;

/**
 * Why the witness at `url` cannot open (a URL of another kind, or its package not installed), at `place`; else undefined.
 * @example witnessStoreProblem("ftp://x", { file: "hexarch.yaml", path: "logging.witness" }, process.cwd())?.message
 */
export function witnessStoreProblem(url: string, place: Omit<ConfigProblem, "message">, cwd: string): ConfigProblem | undefined {
  const problem = witnessUrlProblem(url);
  if (problem !== undefined) return { ...place, message: problem, fix: WITNESS_URL_FIX };
  const scheme = new URL(url).protocol.slice(0, -1);
  if (scheme === "http" || scheme === "https") return undefined;
  const peer = scheme.startsWith("redis") ? "ioredis" : "pg";
  if (loadOptionalPeer(peer, cwd) === undefined)
    return { ...place, message: `the log witness is in ${scheme} but ${peer} is not installed`, fix: `npm install ${peer}` };
  return undefined;
}

/**
 * The witness store `url` names, or a PolicyConfigError (at `place`) for a URL of another kind or a missing optional peer.
 * @example const store = openWitnessStore("redis://witness:6379", { file: "hexarch.yaml", path: "logging.witness" }, process.cwd());
 */
export function openWitnessStore(url: string, place: Omit<ConfigProblem, "message">, cwd: string): WitnessStore {
  const problem = witnessStoreProblem(url, place, cwd);
  if (problem !== undefined) throw new PolicyConfigError([problem]);
  const scheme = new URL(url).protocol.slice(0, -1);
  if (scheme === "http" || scheme === "https") return httpWitness(url);
  const peer = scheme.startsWith("redis") ? "ioredis" : "pg";
  const loaded = loadOptionalPeer<(PgModule & { default?: PgModule }) | IoredisConstructor>(peer, cwd) as
    (PgModule & { default?: PgModule }) | IoredisConstructor;
  if (peer === "ioredis") {
    const Redis = loaded as IoredisConstructor;
    const options: RedisOptions = {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      connectTimeout: WITNESS_TIMEOUT_MS,
      commandTimeout: WITNESS_TIMEOUT_MS,
      retryStrategy: () => null,
    };
    return redisWitness(() => {
      const client = new Redis(url, options);
      client.on("error", () => undefined);
      return client;
    }, url);
  }
  const pg = loaded as PgModule & { default?: PgModule };
  const Pool = pg.Pool ?? pg.default?.Pool;
  const pool = new Pool({
    connectionString: url,
    max: 1,
    connectionTimeoutMillis: WITNESS_TIMEOUT_MS,
    query_timeout: WITNESS_TIMEOUT_MS,
    // An idle connection between heads must not keep the process from running out of work.
    allowExitOnIdle: true,
  });
  pool.on("error", () => undefined);
  return postgresWitness(pool, url);
}
