// `hexarch validate [file]`: every problem at once, located, with its fix; exit 0 when valid, 1 when not.
import type { Command } from "commander";
import { PolicyConfigError } from "../../index.js";
import { storeStartupProblems } from "../../guardian/store-from-config.js";
import { logStartupProblems } from "../../log/settings.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { loadPolicySource, type PolicySource } from "../policy-source.js";
import type { Act } from "../program.js";
import type { Terminal } from "../terminal.js";
import { counted } from "../wording.js";

interface ValidateOptions {
  readonly json?: boolean;
}

/** Remarks that do not make the file invalid: ignored sections, custom keys the app must supply. */
function remarks(source: PolicySource): string[] {
  const custom = [...source.set.customKeys.keys()].map(
    (name) => `key "${name}" is a custom key: the app must pass createGuardian({ keys: { ${name}: (ctx) => ... } })`,
  );
  return [...source.loaded.notices, ...custom];
}

function validate(terminal: Terminal, file: string | undefined, options: ValidateOptions): ExitCode {
  let source: PolicySource;
  try {
    source = loadPolicySource(terminal, file);
    // What start-up refuses beyond the file (HEXARCH_LOG_KEY for redact:, packages for Redis and PostgreSQL) is invalid here too.
    const where = { env: terminal.env, cwd: terminal.cwd };
    const startup = [...storeStartupProblems(source.loaded, where), ...logStartupProblems(source.loaded, where)];
    if (startup.length > 0) throw new PolicyConfigError(startup);
  } catch (error) {
    if (!(error instanceof PolicyConfigError) || options.json !== true) throw error;
    terminal.out(JSON.stringify({ valid: false, file: error.problems[0]?.file ?? file ?? null, problems: error.problems }, null, 2));
    return EXIT.FAILED;
  }
  const notes = remarks(source);
  const policies = source.set.policies.size;
  const rules = source.set.rules.length;
  if (options.json === true) {
    terminal.out(JSON.stringify({ valid: true, file: source.file, policies, rules, notices: notes, problems: [] }, null, 2));
    return EXIT.OK;
  }
  for (const note of notes) terminal.err(`${terminal.paintErr.yellow("note:")} ${note}`);
  terminal.out(`${terminal.paint.green("valid")} ${source.file}: ${counted(policies, "policy", "policies")}, ${counted(rules, "rule")}`);
  return EXIT.OK;
}

/**
 * Adds `hexarch validate [file] [--json]` to the program.
 * @example registerValidate(program, terminal, act)
 */
export function registerValidate(program: Command, terminal: Terminal, act: Act): void {
  program
    .command("validate")
    .description("check a policy file and report every problem at once, each with file:line:column and a fix")
    .argument("[file]", "policy file (default: HEXARCH_POLICY_FILE, else hexarch.yaml here or above)")
    .option("--json", "print { valid, file, problems } as JSON on stdout")
    .addHelpText(
      "after",
      "\nExit code: 0 when the file is valid, 1 when it is not.\n\nExamples:\n  $ hexarch validate\n  $ hexarch validate config/hexarch.yaml --json\n",
    )
    .action(act((file: string | undefined, options: ValidateOptions) => validate(terminal, file, options)));
}
