// The `hexarch` program: every command registered on one commander instance, errors mapped to exit codes.
import { Command, CommanderError } from "commander";
import { formatProblem, PolicyConfigError, type ConfigProblem } from "../index.js";
import { EXIT, UsageError, type ExitCode } from "./exit-codes.js";
import { packageVersion } from "../package-version.js";
import type { Palette, Terminal } from "./terminal.js";
import { counted } from "./wording.js";
import { registerInit } from "./commands/init.js";
import { registerValidate } from "./commands/validate.js";
import { registerList } from "./commands/list.js";
import { registerExport } from "./commands/export.js";
import { registerExplain } from "./commands/explain.js";
import { registerTest } from "./commands/test.js";
import { registerDiff } from "./commands/diff.js";
import { registerLog } from "./commands/log.js";
import { registerReplay } from "./commands/replay.js";
import { registerApprovals } from "./commands/approvals.js";
import { registerServe } from "./commands/serve.js";
import { registerKeys } from "./commands/keys.js";
import { registerBudgets } from "./commands/budgets.js";
import { registerClient } from "./commands/client.js";
import { registerNotify } from "./commands/notify.js";

/** Wraps a command body so its exit code is recorded and its errors are reported the same way everywhere. */
export type Act = <A extends unknown[]>(body: (...args: A) => ExitCode | Promise<ExitCode>) => (...args: A) => Promise<void>;

/**
 * One problem, location first (bold on a terminal), with its fix on the next line.
 * @example renderProblem({ file: "hexarch.yaml", line: 2, column: 1, path: "enforcment", message: 'unknown key "enforcment"' }, palette)
 */
export function renderProblem(problem: ConfigProblem, paint: Palette): string {
  const [head = "", ...rest] = formatProblem(problem).split("\n");
  const colon = head.indexOf(" ");
  const where = colon === -1 ? head : head.slice(0, colon);
  return [`${paint.bold(where)}${head.slice(where.length)}`, ...rest.map((line) => paint.cyan(line))].join("\n");
}

/**
 * Prints every problem of a PolicyConfigError to stderr, then how many there were.
 * @example reportConfigError(terminal, error) // hexarch.yaml:2:1 enforcment: unknown key … / 1 problem: …
 */
export function reportConfigError(terminal: Terminal, error: PolicyConfigError): void {
  for (const problem of error.problems) terminal.err(renderProblem(problem, terminal.paintErr));
  terminal.err(terminal.paintErr.red(`${counted(error.problems.length, "problem")}: the policy file cannot be used`));
}

const EXIT_HELP = `
Exit codes:
  0  done: the policy is valid, every case passed, every log chain is intact
  1  the policy file is invalid or missing, a case failed, init would overwrite a file, a log chain is broken,
     or replay --fail-on-change found a decision that would change
  2  the command line is wrong, or a case file is broken
`;

/**
 * Builds the program for one run; `exitCode()` is what the run should exit with.
 * @example const { program, exitCode } = buildProgram(processTerminal()); await program.parseAsync(process.argv);
 */
export function buildProgram(terminal: Terminal): { program: Command; exitCode: () => ExitCode } {
  let code: ExitCode = EXIT.OK;
  const act: Act =
    (body) =>
    async (...args) => {
      try {
        code = await body(...args);
      } catch (error) {
        if (error instanceof PolicyConfigError) {
          reportConfigError(terminal, error);
          code = EXIT.FAILED;
        } else if (error instanceof UsageError) {
          terminal.err(`${terminal.paintErr.red("error:")} ${error.message}`);
          code = EXIT.USAGE;
        } else throw error;
      }
    };

  const program = new Command("hexarch")
    .description("Write, check, explain and test hexarch.yaml guardrails without running the app.")
    .version(packageVersion())
    .exitOverride()
    .configureOutput({
      writeOut: (text) => terminal.out(text.replace(/\n$/, "")),
      writeErr: (text) => terminal.err(text.replace(/\n$/, "")),
      getOutHelpWidth: () => terminal.outWidth,
      getErrHelpWidth: () => terminal.errWidth,
      getOutHasColors: () => terminal.paint.enabled,
      getErrHasColors: () => terminal.paintErr.enabled,
    })
    .showHelpAfterError("(add --help for usage and an example)")
    .addHelpText("after", `${EXIT_HELP}\nExample:\n  $ hexarch init && hexarch validate && hexarch test\n`);

  registerInit(program, terminal, act);
  registerValidate(program, terminal, act);
  registerList(program, terminal, act);
  registerExplain(program, terminal, act);
  registerTest(program, terminal, act);
  registerDiff(program, terminal, act);
  registerExport(program, terminal, act);
  registerLog(program, terminal, act);
  registerReplay(program, terminal, act);
  registerServe(program, terminal, act);
  registerKeys(program, terminal, act);
  registerBudgets(program, terminal, act);
  registerClient(program, terminal, act);
  registerApprovals(program, terminal, act);
  registerNotify(program, terminal, act);
  return { program, exitCode: () => code };
}

/**
 * Runs the CLI with `argv` (as process.argv: node, script, ...args) and returns the exit code. Everything it
 * reads and writes outside its files goes through `terminal`, so runs in one process do not disturb each other.
 * @example process.exitCode = await runCli(process.argv, processTerminal());
 */
export async function runCli(argv: readonly string[], terminal: Terminal): Promise<ExitCode> {
  const { program, exitCode } = buildProgram(terminal);
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    throw error;
  }
  return exitCode();
}
