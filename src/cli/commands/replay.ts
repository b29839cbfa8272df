// `hexarch replay CANDIDATE.yaml`: decides the recorded calls again under a candidate policy file and lists what would change.
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { MemoryStore } from "../../index.js";
import { fileLines, type StoredLog } from "../../log/read.js";
import { DEFAULT_LOG_TABLE } from "../../log/postgres-sink.js";
import { Replay, type ReplayChange, type ReplayResult } from "../../log/replay.js";
import { readForReplay, type ReplayReading } from "../../log/replay-read.js";
import { EXIT, UsageError, type ExitCode } from "../exit-codes.js";
import { loadPolicySource } from "../policy-source.js";
import type { Act } from "../program.js";
import type { Terminal } from "../terminal.js";
import { counted } from "../wording.js";
import { openLog, printReport } from "./log.js";
import { replayInstant, replayNotes } from "./replay-words.js";

interface ReplayOptions {
  readonly log?: string[];
  readonly postgres?: string;
  readonly table?: string;
  readonly config?: string;
  readonly since?: string;
  readonly until?: string;
  readonly policy?: string;
  readonly json?: boolean;
  readonly failOnChange?: boolean;
  readonly verify?: boolean;
}

/** The logs to read: each file name given (with its rotated siblings) as its own log, merged by time; else the table or the file's log. */
function openLogs(terminal: Terminal, candidate: string, options: ReplayOptions): StoredLog[] {
  const files = options.log ?? [];
  const source = { ...options, config: options.config ?? candidate };
  if (files.length === 0) return [openLog(terminal, [], source).log];
  if (options.postgres !== undefined) throw new UsageError("give --log files or --postgres, not both");
  const missing = files.find((name) => !existsSync(resolve(terminal.cwd, name)));
  if (missing !== undefined) throw new UsageError(`no log file at ${missing}`);
  // Names of one log (app.log.2, app.log.1, app.log) stay one log, read oldest first; other logs are read beside it.
  const byBase = new Map<string, string[]>();
  for (const file of files) {
    const base = file.replace(/\.\d+$/, "");
    byBase.set(base, [...(byBase.get(base) ?? []), file]);
  }
  return [...byBase.values()].map((group) => openLog(terminal, group, source).log);
}

/** Changed decisions written to a file as they are found, read back once the log has verified: memory stays flat. */
class ChangeSpool {
  readonly #folder = mkdtempSync(join(tmpdir(), "hexarch-replay-"));
  readonly path = join(this.#folder, "changes.jsonl");
  readonly #fd = openSync(this.path, "w");
  #buffer = "";

  add(change: ReplayChange): void {
    this.#buffer += `${JSON.stringify(change)}\n`;
    if (this.#buffer.length > 1 << 16) this.#flush();
  }

  #flush(): void {
    writeSync(this.#fd, this.#buffer);
    this.#buffer = "";
  }

  async *changes(): AsyncGenerator<ReplayChange> {
    this.#flush();
    for await (const line of fileLines(this.path)) yield JSON.parse(line.text) as ReplayChange;
  }

  dispose(): void {
    closeSync(this.#fd);
    rmSync(this.#folder, { recursive: true, force: true });
  }
}

/** One changed decision as a line: when, which, where, who, before → after, and why under the candidate. */
function changeLine(change: ReplayChange): string {
  const operation = typeof change.operation === "string" ? change.operation : change.operation?.join(",");
  const where = change.route === undefined ? [operation, change.resource] : [change.method, change.route];
  const who = [
    change.client === undefined ? undefined : `client ${change.client}`,
    change.user === undefined ? undefined : `user ${change.user}`,
  ];
  return [change.time, change.id, ...where, ...who, `${change.before} → ${change.after}`, `${change.policy}: ${change.reason}`]
    .filter((part) => part !== undefined && part !== "")
    .join("  ");
}

async function printText(terminal: Terminal, result: ReplayResult, spool: ChangeSpool, notes: readonly string[]): Promise<void> {
  const { paint } = terminal;
  const verdict = result.changed === 0 ? paint.green("0 changed") : paint.red(`${result.changed} changed`);
  terminal.out(`${counted(result.total, "decision")} replayed: ${result.unchanged} unchanged, ${verdict}`);
  for (const [transition, count] of result.byTransition) terminal.out(`  ${transition}  ${count}`);
  if (result.byPolicy.size > 0)
    terminal.out(`by policy: ${[...result.byPolicy].map(([policy, count]) => `${policy} ${count}`).join(", ")}`);
  if (result.changed > 0) {
    terminal.out("");
    terminal.out(paint.bold("changed decisions, newest last:"));
    for await (const change of spool.changes()) terminal.out(changeLine(change));
  }
  for (const note of notes) terminal.out(`${paint.dim("note:")} ${note}`);
}

async function printJson(terminal: Terminal, result: ReplayResult, spool: ChangeSpool, notes: readonly string[]): Promise<void> {
  const head = {
    total: result.total,
    unchanged: result.unchanged,
    changed: result.changed,
    by_transition: Object.fromEntries(result.byTransition),
    by_policy: Object.fromEntries(result.byPolicy),
    skipped: result.skipped,
    notes,
  };
  terminal.out(`${JSON.stringify(head).slice(0, -1)},"changes":[`);
  let first = true;
  for await (const change of spool.changes()) {
    terminal.out(`${first ? "" : ","}${JSON.stringify(change)}`);
    first = false;
  }
  terminal.out("]}");
}

/** Why the log cannot answer, or undefined when it can: a chain that does not verify, or one written without allowed calls. */
function refusal(terminal: Terminal, reading: ReplayReading): string | undefined {
  if (reading.report !== undefined && !reading.report.ok) {
    printReport(terminal, reading.report);
    return "the log does not verify, so its records cannot be trusted to replay (--no-verify replays them anyway)";
  }
  const quiet = [...reading.levels].filter((level) => level === "warn" || level === "error");
  if (quiet.length > 0)
    return `the log was written at level: ${quiet.join(", ")}, which leaves out allowed calls: every counter would start short, so no replay can say what a limit would have done`;
  return undefined;
}

async function replay(terminal: Terminal, candidateFile: string, options: ReplayOptions): Promise<ExitCode> {
  const candidate = loadPolicySource(terminal, candidateFile);
  if (options.policy !== undefined && !candidate.set.policies.has(options.policy))
    throw new UsageError(
      `--policy: no policy "${options.policy}" in ${candidate.file}; known: ${[...candidate.set.policies.keys()].join(", ")}`,
    );
  const since = replayInstant(options.since, "--since");
  const until = replayInstant(options.until, "--until");
  if (since !== undefined && until !== undefined && since >= until) throw new UsageError("--since must be before --until");
  const logs = openLogs(terminal, candidateFile, options);
  const spool = new ChangeSpool();
  try {
    const engineReplay = new Replay(candidate.set, new MemoryStore(), {
      since,
      until,
      policy: options.policy,
      onChange: (c) => spool.add(c),
    });
    let reading: ReplayReading;
    try {
      reading = await readForReplay(logs, terminal.env["HEXARCH_LOG_KEY"], options.verify !== false, until, engineReplay);
    } finally {
      await Promise.all(logs.map((log) => log.close()));
    }
    const refused = refusal(terminal, reading);
    if (refused !== undefined) {
      terminal.err(`${terminal.paintErr.red("replay refused:")} ${refused}`);
      return EXIT.FAILED;
    }
    const result = engineReplay.result();
    const notes = replayNotes(result, reading, candidate.set, options.verify === false);
    await (options.json === true ? printJson : printText)(terminal, result, spool, notes);
    return options.failOnChange === true && result.changed > 0 ? EXIT.FAILED : EXIT.OK;
  } finally {
    spool.dispose();
  }
}

/**
 * Adds `hexarch replay CANDIDATE.yaml` to the program.
 * @example registerReplay(program, terminal, act)
 */
export function registerReplay(program: Command, terminal: Terminal, act: Act): void {
  program
    .command("replay")
    .description("decide every recorded call again under a candidate policy file: which outcomes would change, and why")
    .argument("<candidate>", "the policy file to try, e.g. hexarch.yaml as changed by a pull request")
    .option("--log <files...>", "log files (each brings its rotated FILE.1, FILE.2 … along; several logs merge by time)")
    .option("--postgres <url>", "read the log from PostgreSQL instead")
    .option("--table <name>", `Postgres table (default ${DEFAULT_LOG_TABLE})`)
    .option("--config <file>", "policy file whose logging: section names the log (default: the candidate)")
    .option("--since <instant>", "compare decisions from this instant on: ISO 8601 (2026-11-24, 2026-11-24T08:00:00Z) or 7d, 12h, 30m ago")
    .option("--until <instant>", "stop before this instant (same spellings)")
    .option("--policy <id>", "compare only decisions this policy made, before or after, or was asked for by name")
    .option("--json", "one JSON document: { total, unchanged, changed, by_transition, by_policy, skipped, notes, changes }")
    .option("--fail-on-change", "exit 1 when any decision changes (a CI step for pull requests that touch the policy file)")
    .option("--no-verify", "replay without verifying the chains first (a log that does not verify is refused otherwise)")
    .addHelpText(
      "after",
      "\nEvery record is decided again by the same engine, in time order, with fresh counters on a clock set to its time; a record\n" +
        "asked of named policies (check, guard) is asked the same way. Records that cannot answer are counted apart, never guessed.\n" +
        "\nExit code: 0 done; 1 the log does not verify or cannot answer, or (--fail-on-change) a decision changed; 2 usage.\n" +
        "\nExamples:\n  $ hexarch replay hexarch.yaml --log .hexarch/guardrails.log\n" +
        "  $ hexarch replay candidate.yaml --since 7d --policy api_rate --json\n" +
        "  $ npx hexarch replay hexarch.yaml --log last-week.log --fail-on-change\n",
    )
    .action(act((candidate: string, options: ReplayOptions) => replay(terminal, candidate, options)));
}
