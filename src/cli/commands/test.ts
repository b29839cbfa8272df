// `hexarch test [cases…]`: golden cases against the policy file, deterministic; exit 1 on a failure, 2 on a broken case file.
import { existsSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import type { Command } from "commander";
import { CaseFileError, loadCaseFile, type LoadedCases } from "../cases/load.js";
import { runCase, type CaseResult } from "../cases/run.js";
import { EXIT, UsageError, type ExitCode } from "../exit-codes.js";
import { displayPath, loadPolicySource } from "../policy-source.js";
import { renderProblem, type Act } from "../program.js";
import type { Terminal } from "../terminal.js";
import { counted } from "../wording.js";

interface TestOptions {
  readonly file?: string;
  readonly json?: boolean;
}

/** Case files next to a policy file: `hexarch.yaml` → `hexarch.test.yaml` or `hexarch.test.yml`. */
function casesBeside(terminal: Terminal, policyFile: string | undefined): string[] {
  const policy = loadPolicySource(terminal, policyFile);
  const stem = basename(policy.path, extname(policy.path));
  const candidates = [".test.yaml", ".test.yml"].map((suffix) => join(dirname(policy.path), `${stem}${suffix}`));
  const found = candidates.filter((path) => existsSync(path));
  if (found.length > 0) return found;
  throw new UsageError(
    `no case files: looked for ${candidates.map((path) => displayPath(path, terminal.cwd)).join(" and ")}; write one (see hexarch test --help) or name case files`,
  );
}

function printResults(terminal: Terminal, results: readonly CaseResult[]): void {
  const { paint } = terminal;
  let file: string | undefined;
  for (const result of results) {
    if (result.file !== file) terminal.out(paint.bold((file = result.file)));
    terminal.out(`  ${result.passed ? paint.green("pass") : paint.red("FAIL")}  ${result.name}`);
    for (const line of result.failure ?? []) terminal.out(`        ${line}`);
  }
}

async function test(terminal: Terminal, given: readonly string[], options: TestOptions): Promise<ExitCode> {
  const paths = given.length > 0 ? given : casesBeside(terminal, options.file);
  const loaded: LoadedCases[] = [];
  const broken: CaseFileError[] = [];
  for (const path of paths) {
    try {
      loaded.push(loadCaseFile(terminal, path, options.file));
    } catch (error) {
      if (!(error instanceof CaseFileError)) throw error;
      broken.push(error);
    }
  }
  if (broken.length > 0) {
    const problems = broken.flatMap((error) => error.problems);
    for (const problem of problems) terminal.err(renderProblem(problem, terminal.paintErr));
    terminal.err(terminal.paintErr.red(`${counted(problems.length, "problem")}: the case file cannot be run; no case ran`));
    return EXIT.USAGE;
  }
  const results: CaseResult[] = [];
  for (const cases of loaded) for (let c = 0; c < cases.spec.cases.length; c++) results.push(await runCase(cases, c));
  const passed = results.filter((result) => result.passed).length;
  const failed = results.length - passed;
  if (options.json === true) {
    const files = loaded.map((cases) => ({ file: cases.file, policy: cases.policy.file }));
    terminal.out(JSON.stringify({ files, cases: results, passed, failed }, null, 2));
  } else {
    printResults(terminal, results);
    terminal.out(`${passed} passed, ${failed} failed`);
  }
  return failed === 0 ? EXIT.OK : EXIT.FAILED;
}

const CASE_HELP = `
Case file (YAML):
  policy: hexarch.yaml               # relative to this file; default: hexarch.yaml found from here upwards
  cases:
    - name: "the 101st request in a minute is refused"
      at: "2026-11-27T16:30:00-05:00" # the frozen clock (budgets, time windows)
      env: production                 # default: development
      state:                          # optional starting counters
        - { policy: api_budget, used: 9 }   # rule:, window:, client:, user: pick the counter
      requests:
        - method: GET                  # also: operation, resource, resource_type, user, roles, api_key,
          path: /items                 #   client, env, feature, facts, keys, confirm, cost, policy, at, name
          repeat: 100
          expect: allow                # or { outcome, status, reason, would_be }
        - { method: GET, path: /items, expect: { outcome: limit, status: 429, reason: "100 requests per minute" } }

Each case runs on a fresh in-memory store with the clock frozen at \`at\`, so results do not depend on the
day. status 200 stands for "reaches the route handler". HEXARCH_MODE, HEXARCH_ENV and NODE_ENV are ignored.
Prints one line per case and then "N passed, N failed". Exit code: 0 all passed, 1 a case failed or the
policy file is invalid, 2 a case file is broken (each problem with file:line:column).

Examples:
  $ hexarch test                                 # hexarch.test.yaml next to hexarch.yaml
  $ hexarch test tests/policies/*.test.yaml --json
  $ hexarch test cases.yaml --file hexarch.next.yaml
`;

/**
 * Adds `hexarch test [cases…] [--file policy] [--json]` to the program.
 * @example registerTest(program, terminal, act)
 */
export function registerTest(program: Command, terminal: Terminal, act: Act): void {
  program
    .command("test")
    .description("run golden cases (requests at a frozen instant with expected decisions) against the policy file")
    .argument("[cases...]", "case files (default: hexarch.test.yaml next to the policy file)")
    .option("-f, --file <policy>", "test this policy file instead of the one each case file names")
    .option("--json", "print every case's result as JSON")
    .addHelpText("after", CASE_HELP)
    .action(act((cases: string[], options: TestOptions) => test(terminal, cases, options)));
}
