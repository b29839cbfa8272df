// `hexarch init`: writes the starter hexarch.yaml, never over an existing file unless --force.
import { existsSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { displayPath } from "../policy-source.js";
import { EXPRESS_LINES, STARTER_POLICY } from "../starter-policy.js";
import type { Terminal } from "../terminal.js";
import type { Act } from "../program.js";

interface InitOptions {
  readonly force?: boolean;
}

function init(terminal: Terminal, target: string, options: InitOptions): ExitCode {
  const path = resolve(terminal.cwd, target);
  const shown = displayPath(path, terminal.cwd);
  if (existsSync(path) && options.force !== true) {
    terminal.err(`${terminal.paintErr.red("error:")} ${shown} already exists; nothing was written`);
    terminal.err(`  fix: run hexarch init --force to replace it, or hexarch init <other-file>`);
    return EXIT.FAILED;
  }
  writeFileSync(path, STARTER_POLICY, "utf8");
  const { paint } = terminal;
  terminal.out(`${paint.green("wrote")} ${shown}: api_budget, rate_limit and safe_delete, ready to edit`);
  terminal.out("");
  terminal.out("Protect an Express app with three lines:");
  terminal.out("");
  for (const line of EXPRESS_LINES) terminal.out(`  ${paint.cyan(line)}`);
  terminal.out("");
  terminal.out(`Next: ${paint.bold("npx hexarch validate")}, then ${paint.bold("npx hexarch explain --method DELETE --path /users/7")}`);
  return EXIT.OK;
}

/**
 * Adds `hexarch init [file] [--force]` to the program.
 * @example registerInit(program, terminal, act)
 */
export function registerInit(program: Command, terminal: Terminal, act: Act): void {
  program
    .command("init")
    .description("write a commented starter hexarch.yaml (the Quick Start policies)")
    .argument("[file]", "where to write it", "hexarch.yaml")
    .option("--force", "replace the file if it exists")
    .addHelpText("after", "\nExamples:\n  $ hexarch init\n  $ hexarch init config/hexarch.yaml --force\n")
    .action(act((file: string, options: InitOptions) => init(terminal, file, options)));
}
