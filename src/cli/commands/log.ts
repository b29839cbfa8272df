// `hexarch log verify` and `hexarch log query`: check a decision log's chains, and read it back filtered or summed up.
import { resolve } from "node:path";
import type { Command } from "commander";
import { logFiles, logTable, type StoredLog } from "../../log/read.js";
import { recordMatcher, RecordTally, type DecisionEntry, type RecordFilter } from "../../log/query.js";
import { DEFAULT_LOG_TABLE } from "../../log/postgres-sink.js";
import { defaultLogName, logTarget, openPgPool } from "../../log/settings.js";
import { openWitnessStore } from "../../log/witness-stores.js";
import { verifyStoredLog, type VerifyReport } from "../../log/verify.js";
import { EXIT, UsageError, type ExitCode } from "../exit-codes.js";
import { loadPolicySource } from "../policy-source.js";
import type { Act } from "../program.js";
import { renderTable } from "../table.js";
import type { Terminal } from "../terminal.js";
import { counted } from "../wording.js";
import { follow, SkippedRecords } from "./log-follow.js";

interface SourceOptions {
  readonly postgres?: string;
  readonly table?: string;
  readonly config?: string;
}

interface VerifyOptions extends SourceOptions {
  readonly json?: boolean;
  readonly witness?: string;
  readonly name?: string;
}

interface QueryOptions extends SourceOptions {
  readonly policy?: string;
  readonly outcome?: string;
  readonly kind?: string;
  readonly client?: string;
  readonly user?: string;
  readonly since?: string;
  readonly until?: string;
  readonly summary?: boolean;
  readonly json?: boolean;
  readonly follow?: boolean;
}

/** A log to read, with its name at a witness and the witness its policy file names (when it came from one). */
export interface OpenedLog {
  readonly log: StoredLog;
  readonly name: string;
  readonly witness: { readonly url: string; readonly place: Parameters<typeof openWitnessStore>[1] } | undefined;
}

/** The log named on the command line, else the one the policy file's `logging:` section writes (also `hexarch replay`'s). */
export function openLog(terminal: Terminal, files: readonly string[], options: SourceOptions): OpenedLog {
  const table = options.table ?? DEFAULT_LOG_TABLE;
  if (options.postgres !== undefined) {
    if (files.length > 0) throw new UsageError("give log files or --postgres, not both");
    const log = logTable(openPgPool(options.postgres, { file: "<command line>", path: "--postgres" }, terminal.cwd), table);
    return { log, name: defaultLogName({ kind: "postgres", url: options.postgres, table, fromEnv: false }), witness: undefined };
  }
  if (files.length > 0) {
    const paths = files.map((file) => resolve(terminal.cwd, file));
    return { log: logFiles(paths), name: defaultLogName({ kind: "file", path: paths.at(-1) ?? "" }), witness: undefined };
  }
  const source = loadPolicySource(terminal, options.config);
  const target = logTarget(source.loaded, terminal.env, terminal.cwd);
  const section = source.loaded.spec.logging;
  if (target === undefined || section === undefined)
    throw new UsageError(`${source.file} has no enabled logging: section; name the log files, or --postgres URL`);
  const name = section.name ?? defaultLogName(target);
  const witness =
    section.witness === undefined
      ? undefined
      : { url: section.witness, place: { file: source.file, ...source.loaded.locate(["logging", "witness"]), path: "logging.witness" } };
  if (target.kind === "file") return { log: logFiles([target.path]), name, witness };
  const pool = openPgPool(target.url, { file: source.file, path: "logging.postgres_url" }, terminal.cwd);
  return { log: logTable(pool, target.table), name, witness };
}

/** The heads the witness holds for the log: from `--witness`, else from the policy file's `logging.witness`; undefined for neither. */
async function witnessHeads(
  terminal: Terminal,
  opened: OpenedLog,
  options: VerifyOptions,
): Promise<{ where: string; text: string }[] | undefined> {
  const given =
    options.witness === undefined ? opened.witness : { url: options.witness, place: { file: "<command line>", path: "--witness" } };
  if (given === undefined) {
    if (options.name !== undefined) throw new UsageError("--name is the log's name at a witness: give --witness <url> too");
    return undefined;
  }
  const store = openWitnessStore(given.url, given.place, terminal.cwd);
  try {
    return await store.heads(options.name ?? opened.name);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new UsageError(`cannot read the witness ${store.name} (${why}): the log cannot be checked against it`);
  } finally {
    await store.close().catch(() => undefined);
  }
}

/** Prints a verification report as people read it. */
export function printReport(terminal: Terminal, report: VerifyReport): void {
  const { paint } = terminal;
  for (const chain of report.chains) {
    const status = chain.broken ? paint.red("broken") : paint.green("intact");
    const from = chain.continued ? ", continued from an earlier file" : "";
    terminal.out(
      `${status} chain ${chain.chain} (${chain.instance ?? "no header"}): ${counted(chain.records, "record")} to seq ${chain.lastSeq}, ${counted(chain.checkpoints, "checkpoint")}${from}`,
    );
    for (const gap of chain.gaps)
      terminal.out(
        `  ${paint.yellow("gap")} ${gap.where}: ${counted(gap.lost, "record")} lost between ${gap.from} and ${gap.to} (the log could not be written)`,
      );
  }
  for (const where of report.tornTails)
    terminal.out(`${paint.yellow("torn tail")} ${where}: a record cut short by a crash mid-write (not tampering)`);
  for (const where of report.tornWrites)
    terminal.out(
      `${paint.yellow("torn write")} ${where}: a record cut short by a failed write (disk full?); the records after it were read`,
    );
  for (const note of report.notes) terminal.out(`${paint.dim("note:")} ${note}`);
  for (const problem of report.problems) {
    const seq = problem.seq === undefined ? "" : ` seq ${problem.seq}`;
    terminal.err(
      `${paint.red(problem.what)} ${problem.where}${problem.chain === undefined ? "" : ` chain ${problem.chain}`}${seq}: ${problem.detail}`,
    );
  }
  if (report.chains.length === 0 && report.problems.length === 0) terminal.out("the log holds no records");
}

async function verify(terminal: Terminal, files: readonly string[], options: VerifyOptions): Promise<ExitCode> {
  const opened = openLog(terminal, files, options);
  let report: VerifyReport;
  try {
    const heads = await witnessHeads(terminal, opened, options);
    report = await verifyStoredLog(opened.log, terminal.env["HEXARCH_LOG_KEY"], heads);
  } finally {
    await opened.log.close();
  }
  if (options.json === true) terminal.out(JSON.stringify(report, null, 2));
  else printReport(terminal, report);
  return report.ok ? EXIT.OK : EXIT.FAILED;
}

/** An instant given as ISO 8601 (a date alone means its midnight UTC). */
function instant(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) throw new UsageError(`${flag} needs an ISO 8601 instant, e.g. 2026-11-24 or 2026-11-24T08:00:00Z; got "${text}"`);
  return at;
}

/** One decision as a line: time, outcome, policy, reason, who and where. */
function describe(entry: DecisionEntry): string {
  const who = [entry.context?.client, entry.context?.user].filter((v) => v !== undefined).join(" ");
  const where = [entry.context?.method, entry.context?.route].filter((v) => v !== undefined).join(" ");
  return [entry.time, entry.outcome.padEnd(7), entry.policy ?? "-", entry.reason, who, where].filter((v) => v !== "").join("  ");
}

function printSummary(terminal: Terminal, tally: RecordTally, json: boolean): void {
  const { outcomes, spent } = tally.summary;
  const names = ["allow", "warn", "confirm", "limit", "deny", "error"];
  if (json) {
    const plain = Object.fromEntries([...outcomes].map(([policy, row]) => [policy, Object.fromEntries(row)]));
    terminal.out(JSON.stringify({ outcomes: plain, spent: Object.fromEntries(spent) }, null, 2));
    return;
  }
  const rows = [...outcomes].map(([policy, row]) => [policy, ...names.map((name) => String(row.get(name) ?? 0))]);
  for (const line of renderTable(["POLICY", ...names.map((n) => n.toUpperCase())], rows, terminal.paint)) terminal.out(line);
  if (spent.size === 0) return;
  terminal.out("");
  const spentRows = [...spent].map(([key, amount]) => [...key.split(" "), String(Number(amount.toFixed(6)))]);
  for (const line of renderTable(["POLICY", "PERIOD", "SPENT"], spentRows, terminal.paint)) terminal.out(line);
}

async function query(terminal: Terminal, files: readonly string[], options: QueryOptions): Promise<ExitCode> {
  const filter: RecordFilter = {
    policy: options.policy,
    outcome: options.outcome,
    kind: options.kind,
    client: options.client,
    user: options.user,
    since: instant(options.since, "--since"),
    until: instant(options.until, "--until"),
  };
  if (options.follow === true && (options.summary === true || options.postgres !== undefined))
    throw new UsageError("--follow reads a log file as it grows; it does not combine with --summary or --postgres");
  const matches = recordMatcher(filter, terminal.env["HEXARCH_LOG_KEY"]);
  const tally = new RecordTally();
  const skipped = new SkippedRecords(terminal);
  const show = (text: string): void => {
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      return;
    }
    if (options.follow === true) skipped.see(record);
    if (!matches(record)) return;
    if (options.summary === true) tally.add(record);
    else terminal.out(options.json === true ? text : describe(record));
  };
  const { log } = openLog(terminal, files, options);
  // Following reads the current file itself, from its first byte on, so no line written meanwhile is lost.
  const current = options.follow === true ? log.names.at(-1) : undefined;
  const read = current === undefined ? log : logFiles(log.names.slice(0, -1), { rotated: false });
  try {
    for await (const line of read.lines()) if (!line.last) show(line.text);
  } finally {
    await log.close();
    if (read !== log) await read.close();
  }
  if (options.summary === true) printSummary(terminal, tally, options.json === true);
  if (options.follow === true) await follow(current, show);
  return EXIT.OK;
}

/**
 * Adds `hexarch log verify` and `hexarch log query` to the program.
 * @example registerLog(program, terminal, act)
 */
export function registerLog(program: Command, terminal: Terminal, act: Act): void {
  const log = program.command("log").description("check and read the decision log written when the policy file has a logging: section");
  const source = (command: Command): Command =>
    command
      .argument(
        "[files...]",
        "log files, oldest first (one name brings its rotated FILE.1, FILE.2 … along); default: the policy file's logging.file",
      )
      .option("--postgres <url>", "read the log from PostgreSQL instead (or set logging.postgres_url)")
      .option("--table <name>", `Postgres table (default ${DEFAULT_LOG_TABLE})`)
      .option("--config <file>", "policy file whose logging: section names the log (default: discovered)");
  source(log.command("verify"))
    .description("check every chain: MACs, sequence numbers and checkpoints; HEXARCH_LOG_KEY must be the writers' key")
    .option("--json", "print the report as JSON")
    .option("--witness <url>", "also check against the chain heads this witness holds (default: the policy file's logging.witness)")
    .option("--name <name>", "the log's name at the witness (default: logging.name, else file:<absolute path> or table:<table>)")
    .addHelpText(
      "after",
      "\nExit code: 0 when every chain is intact, 1 naming the first broken record of each chain.\n\nExamples:\n  $ hexarch log verify .hexarch/guardrails.log\n  $ hexarch log verify --postgres postgres://localhost/app\n  $ hexarch log verify /var/log/app/guardrails.log --witness redis://witness:6379\n",
    )
    .action(act((files: string[], options: VerifyOptions) => verify(terminal, files, options)));
  source(log.command("query"))
    .description("print the decisions that match the filters, a summary, or follow the log as it grows")
    .option("--policy <id>", "decided by this policy")
    .option("--outcome <outcome>", "allow, warn, confirm, limit, deny or error")
    .option("--kind <kind>", "rate, budget, confirm, time, environment, facts, access, feature, block or store")
    .option("--client <client>", "this client (matches redacted records when HEXARCH_LOG_KEY is set)")
    .option("--user <user>", "this user (same)")
    .option("--since <instant>", "at or after this ISO 8601 instant")
    .option("--until <instant>", "before this ISO 8601 instant")
    .option("--summary", "counts per policy and outcome, and budget spent per period")
    .option("--json", "the matching records as JSON lines (with --summary: the summary as JSON)")
    .option("--follow", "keep printing matching decisions as they are written (like tail -f)")
    .addHelpText(
      "after",
      "\nExamples:\n  $ hexarch log query --outcome deny --since 2026-11-24\n  $ hexarch log query --summary\n  $ hexarch log query --policy api_budget --json | jq .reason\n",
    )
    .action(act((files: string[], options: QueryOptions) => query(terminal, files, options)));
}
