// `hexarch init`: writes the starter hexarch.yaml and its cases, then prints the app lines for the setup it finds.
import { existsSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { Option, type Command } from "commander";
import { EXIT, UsageError, type ExitCode } from "../exit-codes.js";
import { displayPath } from "../policy-source.js";
import { detectSetup, FRAMEWORKS, type Framework } from "../project-setup.js";
import { starterApp } from "../starter-app.js";
import { STARTER_POLICY, starterCases } from "../starter-policy.js";
import { AI_CASES, AI_POLICY, AI_PRICES, PRICES_TAKEN_ON } from "../starter-ai.js";
import type { Terminal } from "../terminal.js";
import type { Act } from "../program.js";

interface InitOptions {
  readonly force?: boolean;
  readonly framework?: Framework;
  readonly cjs?: boolean;
  readonly esm?: boolean;
  readonly ai?: boolean;
}

/** `hexarch.yaml` → `hexarch.test.yaml`, beside it: where `hexarch test` looks by default. */
function casesPathFor(policyPath: string): string {
  return join(dirname(policyPath), `${basename(policyPath).replace(/\.ya?ml$/, "")}.test.yaml`);
}

function init(terminal: Terminal, target: string, options: InitOptions): ExitCode {
  if (options.cjs === true && options.esm === true) throw new UsageError("--cjs and --esm exclude each other; give one");
  const policyPath = resolve(terminal.cwd, target);
  const casesPath = casesPathFor(policyPath);
  const existing = [policyPath, casesPath].filter((path) => existsSync(path));
  if (existing.length > 0 && options.force !== true) {
    for (const path of existing)
      terminal.err(`${terminal.paintErr.red("error:")} ${displayPath(path, terminal.cwd)} already exists; nothing was written`);
    terminal.err(`  fix: run hexarch init --force to replace it, or hexarch init <other-file>`);
    return EXIT.FAILED;
  }
  const ai = options.ai === true;
  writeFileSync(policyPath, ai ? STARTER_POLICY + AI_POLICY + AI_PRICES : STARTER_POLICY, "utf8");
  writeFileSync(casesPath, starterCases(basename(policyPath)) + (ai ? AI_CASES : ""), "utf8");

  const module = options.cjs === true ? "cjs" : options.esm === true ? "esm" : undefined;
  const setup = detectSetup(terminal.cwd, {
    ...(options.framework === undefined ? {} : { framework: options.framework }),
    ...(module === undefined ? {} : { module }),
  });
  const app = starterApp(setup);
  const { paint } = terminal;
  const cases = displayPath(casesPath, terminal.cwd);
  const policies = ai
    ? "api_budget, rate_limit, safe_delete and ai_spend, with model prices taken " + PRICES_TAKEN_ON
    : "api_budget, rate_limit and safe_delete";
  terminal.out(`${paint.green("wrote")} ${displayPath(policyPath, terminal.cwd)}: ${policies}, ready to edit`);
  terminal.out(`${paint.green("wrote")} ${cases}: the cases they must pass`);
  terminal.out("");
  terminal.out(`For ${setup.reasons.join(", ")} (change with --framework ${FRAMEWORKS.join("|")}, --cjs or --esm):`);
  terminal.out("");
  for (const command of app.install) terminal.out(`  ${paint.bold(command)}`);
  if (app.install.length === 0) terminal.out("  (every package it imports is installed)");
  terminal.out("");
  terminal.out(`${app.file}:`);
  for (const line of app.code) terminal.out(`    ${paint.cyan(line)}`);
  terminal.out("");
  terminal.out(`Check: ${paint.bold("npx hexarch-guardrails validate && npx hexarch-guardrails test")}`);
  terminal.out(`Start: ${paint.bold(app.start)}, then a DELETE of ${app.url} answers 428 (confirm with the token it returns),`);
  terminal.out(`and the 101st GET in a minute answers 429.`);
  return EXIT.OK;
}

/**
 * Adds `hexarch init [file] [--force] [--framework name] [--cjs|--esm]` to the program.
 * @example registerInit(program, terminal, act)
 */
export function registerInit(program: Command, terminal: Terminal, act: Act): void {
  program
    .command("init")
    .description("write a commented starter hexarch.yaml and its cases, and print the lines that protect your app")
    .argument("[file]", "where to write the policy file (the cases go beside it as <name>.test.yaml)", "hexarch.yaml")
    .option("--force", "replace the files if they exist")
    .addOption(new Option("--framework <name>", "the framework to print lines for (default: the one installed)").choices(FRAMEWORKS))
    .option("--cjs", "print require() lines (default: from package.json's type)")
    .option("--esm", "print import lines")
    .option("--ai", "add an AI spend policy and a commented prices: section for a few well-known models (dated; check them)")
    .addHelpText(
      "after",
      "\nExamples:\n  $ hexarch init\n  $ hexarch init --framework koa --esm\n  $ hexarch init config/hexarch.yaml --force\n  $ hexarch init --ai\n",
    )
    .action(act((file: string, options: InitOptions) => init(terminal, file, options)));
}
