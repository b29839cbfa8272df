// `hexarch client python`: prints the decision server's client for a language, as shipped in the package.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Argument, type Command } from "commander";
import { packageRoot } from "../../package-version.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { Act } from "../program.js";
import type { Terminal } from "../terminal.js";

/** Each language's client, by its path in the package (listed in package.json's `files`). */
const CLIENTS = { python: "examples/server/hexarch_client.py" } as const;
type Language = keyof typeof CLIENTS;

function printClient(terminal: Terminal, language: Language): ExitCode {
  const path = join(packageRoot() ?? ".", CLIENTS[language]);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    terminal.err(
      `${terminal.paintErr.red("error:")} the ${language} client is missing from the package (${path}): ${(error as Error).message}`,
    );
    terminal.err("  fix: reinstall hexarch-guardrails");
    return EXIT.FAILED;
  }
  terminal.out(text.trimEnd());
  return EXIT.OK;
}

/**
 * Adds `hexarch client <language>` to the program.
 * @example registerClient(program, terminal, act)
 */
export function registerClient(program: Command, terminal: Terminal, act: Act): void {
  program
    .command("client")
    .description("print a client of the decision server (hexarch serve) for a language, to save beside your code")
    .addArgument(new Argument("<language>", "the client's language").choices(Object.keys(CLIENTS)))
    .addHelpText("after", "\nExamples:\n  $ hexarch client python > hexarch.py\n")
    .action(act((language: Language) => printClient(terminal, language)));
}
