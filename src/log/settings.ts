// Builds the DecisionLog a policy file's `logging:` section asks for, checking what only run time can check.
import { createHash } from "node:crypto";
import { dirname, isAbsolute, resolve } from "node:path";
import type { LoadedPolicyFile } from "../engine/config/load.js";
import { POSTGRES_URL_FIX, postgresUrlProblem } from "../engine/config/logging-checks.js";
import { PolicyConfigError, type ConfigProblem } from "../errors/config-error.js";
import type { Logger } from "../errors/warnings.js";
import { loadOptionalPeer } from "../optional-peer.js";
import { canonicalJson, type JsonValue } from "./canonical.js";
import { Chain } from "./chain.js";
import { DecisionLog } from "./decision-log.js";
import { FileSink } from "./file-sink.js";
import { logMac, redactor } from "./mac.js";
import { DEFAULT_LOG_TABLE, PostgresSink, type PgModule, type PgPoolLike } from "./postgres-sink.js";
import type { LogSink } from "./sink.js";
import { Witness } from "./witness.js";
import { openWitnessStore, witnessStoreProblem } from "./witness-stores.js";

/** The seed's default log file, relative to the policy file's folder. */
export const DEFAULT_LOG_FILE = ".hexarch/guardrails.log";

/** Where the log settings come from besides the file. */
export interface LogSource {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Folder `pg` is resolved from, and the base of a relative policy file name. */
  readonly cwd: string;
  readonly logger: Logger;
  readonly environment: string;
  readonly clock?: () => number;
}

/** Where a policy file's log goes: a file path, or a Postgres URL and table. */
export type LogTarget =
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "postgres"; readonly url: string; readonly table: string; readonly fromEnv: boolean };

/**
 * Where the `logging:` section sends records, or undefined when logging is off. `HEXARCH_LOG_POSTGRES_URL` wins
 * over `postgres_url`; a Postgres URL wins over `file`. A relative `file` is relative to the policy file's folder.
 * @example logTarget(loaded, process.env, process.cwd()) // { kind: "file", path: "/app/.hexarch/guardrails.log" }
 */
export function logTarget(loaded: LoadedPolicyFile, env: Readonly<Record<string, string | undefined>>, cwd: string): LogTarget | undefined {
  const section = loaded.spec.logging;
  if (section === undefined || section.enabled === false) return undefined;
  const fromEnv = env["HEXARCH_LOG_POSTGRES_URL"];
  const url = fromEnv !== undefined && fromEnv !== "" ? fromEnv : section.postgres_url;
  if (url !== undefined) return { kind: "postgres", url, table: section.postgres_table ?? DEFAULT_LOG_TABLE, fromEnv: url === fromEnv };
  const file = section.file ?? DEFAULT_LOG_FILE;
  return { kind: "file", path: isAbsolute(file) ? file : resolve(dirname(resolve(cwd, loaded.file)), file) };
}

/**
 * The name a log goes by at its witness when `logging.name` gives none: `file:` and the log file's absolute path
 * (its rotated files share it), or `table:` and the PostgreSQL table.
 * @example defaultLogName({ kind: "file", path: "/app/.hexarch/guardrails.log" }) // "file:/app/.hexarch/guardrails.log"
 */
export function defaultLogName(target: LogTarget): string {
  return target.kind === "file" ? `file:${target.path.replace(/\.\d+$/, "")}` : `table:${target.table}`;
}

/** Why a PostgreSQL log at `url` cannot open (a URL of another kind, or no `pg` installed), at `place`; else undefined. */
function pgProblem(url: string, place: Omit<ConfigProblem, "message">, cwd: string): ConfigProblem | undefined {
  const problem = postgresUrlProblem(url);
  if (problem !== undefined) return { ...place, message: problem, fix: POSTGRES_URL_FIX };
  if (loadOptionalPeer("pg", cwd) === undefined)
    return { ...place, message: "the decision log is in PostgreSQL but the pg package is not installed", fix: "npm install pg" };
  return undefined;
}

/** Loads `pg` and opens a small pool for the log, or throws PolicyConfigError saying what to install or fix. */
export function openPgPool(url: string, place: Omit<ConfigProblem, "message">, cwd: string): PgPoolLike {
  const problem = pgProblem(url, place, cwd);
  if (problem !== undefined) throw new PolicyConfigError([problem]);
  const pg = loadOptionalPeer<PgModule & { default?: PgModule }>("pg", cwd) as PgModule & { default?: PgModule };
  const Pool = pg.Pool ?? pg.default?.Pool;
  const pool = new Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 2000, query_timeout: 5000, idleTimeoutMillis: 10_000 });
  pool.on("error", () => undefined);
  return pool;
}

/** Where the log's PostgreSQL URL was given: the environment, or the file's `logging.postgres_url`. */
function pgPlace(loaded: LoadedPolicyFile, target: LogTarget & { kind: "postgres" }): Omit<ConfigProblem, "message"> {
  return target.fromEnv
    ? { file: "<environment>", path: "HEXARCH_LOG_POSTGRES_URL" }
    : { file: loaded.file, ...loaded.locate(["logging", "postgres_url"]), path: "logging.postgres_url" };
}

/**
 * What start-up refuses in the `logging:` section that the file alone cannot show, without opening anything:
 * `redact` without `HEXARCH_LOG_KEY`, a PostgreSQL URL from the environment that is not one, a missing `pg` or a
 * witness's missing package. `hexarch validate` reports the same problems, in the same words.
 * @example logStartupProblems(loaded, { env: process.env, cwd: process.cwd() }) // [] when start-up would go on
 */
export function logStartupProblems(loaded: LoadedPolicyFile, source: Pick<LogSource, "env" | "cwd">): ConfigProblem[] {
  const target = logTarget(loaded, source.env, source.cwd);
  const section = loaded.spec.logging;
  if (target === undefined || section === undefined) return [];
  const problems: ConfigProblem[] = [];
  const key = source.env["HEXARCH_LOG_KEY"];
  if ((section.redact ?? []).length > 0 && (key === undefined || key === "")) {
    problems.push({
      file: loaded.file,
      ...loaded.locate(["logging", "redact"]),
      path: "logging.redact",
      message: "redaction hashes with HEXARCH_LOG_KEY, which is not set; unkeyed hashes of addresses and user ids can be guessed back",
      fix: "set HEXARCH_LOG_KEY to a long random secret (e.g. `openssl rand -hex 32`), or remove redact:",
    });
  }
  const pg = target.kind === "postgres" ? pgProblem(target.url, pgPlace(loaded, target), source.cwd) : undefined;
  if (pg !== undefined) problems.push(pg);
  const witness = section.witness === undefined ? undefined : witnessStoreProblem(section.witness, witnessPlace(loaded), source.cwd);
  if (witness !== undefined) problems.push(witness);
  return problems;
}

function witnessPlace(loaded: LoadedPolicyFile): Omit<ConfigProblem, "message"> {
  return { file: loaded.file, ...loaded.locate(["logging", "witness"]), path: "logging.witness" };
}

/**
 * The DecisionLog for a loaded policy file, or undefined when its `logging:` section is absent or disabled.
 * Throws PolicyConfigError for what the schema cannot see (logStartupProblems): a missing `pg`, or `redact` without
 * `HEXARCH_LOG_KEY`.
 * @example const log = decisionLogFromConfig(loaded, { env: process.env, cwd: process.cwd(), logger, environment: "production" });
 */
export function decisionLogFromConfig(loaded: LoadedPolicyFile, source: LogSource): DecisionLog | undefined {
  const target = logTarget(loaded, source.env, source.cwd);
  const section = loaded.spec.logging;
  if (target === undefined || section === undefined) return undefined;
  const problems = logStartupProblems(loaded, source);
  if (problems.length > 0) throw new PolicyConfigError(problems);
  const key = source.env["HEXARCH_LOG_KEY"];
  const redact = new Set(section.redact ?? []);
  let sink: LogSink;
  if (target.kind === "postgres") {
    sink = new PostgresSink(openPgPool(target.url, pgPlace(loaded, target), source.cwd), target.table);
  } else {
    sink = new FileSink({ path: target.path, maxBytes: section.max_bytes, keep: section.keep ?? 5 });
  }
  const mac = logMac(key);
  const policyDigest = createHash("sha256")
    .update(canonicalJson(loaded.spec as JsonValue))
    .digest("hex");
  const instance = source.env["HEXARCH_INSTANCE"];
  const witnessStore = section.witness === undefined ? undefined : openWitnessStore(section.witness, witnessPlace(loaded), source.cwd);
  return new DecisionLog({
    sink,
    chain: new Chain(mac, {
      instance: instance === "" ? undefined : instance,
      policyFile: loaded.file,
      policyDigest,
      level: section.level ?? "info",
    }),
    level: section.level ?? "info",
    shape: {
      redact,
      hide: key === undefined || key === "" ? undefined : redactor(key),
      explain: section.level === "debug",
      policyFile: loaded.file,
    },
    environment: source.environment,
    required: section.required ?? false,
    checkpointEvery: section.checkpoint_every ?? 1000,
    checkpointMs: (section.checkpoint_seconds ?? 60) * 1000,
    buffer: section.buffer ?? 10_000,
    logger: source.logger,
    witness: witnessStore && new Witness(witnessStore, section.name ?? defaultLogName(target), source.logger),
    closeBeforeExit: true,
    ...(source.clock === undefined ? {} : { clock: source.clock }),
  });
}
