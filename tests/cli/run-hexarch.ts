// Runs the hexarch CLI in this process through runCli, with its own terminal: a folder, an environment and captured output.
import { mkdtempSync, copyFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "../../src/cli/program.js";
import { createTerminal, type TextSink } from "../../src/cli/terminal.js";

const here = fileURLToPath(new URL(".", import.meta.url));
/** The repository root. */
export const ROOT = resolve(here, "../..");
/** The seed policy fixtures. */
export const SEED = join(ROOT, "tests/fixtures/seed");
/** The golden case files. */
export const CASES = join(ROOT, "tests/fixtures/cases");

/** What one run printed and the code it would exit with. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Where and how a run happens; output is a pipe (no colour) unless `tty` makes it a terminal of that width. */
export interface RunOptions {
  readonly cwd: string;
  /** The whole environment the CLI sees; nothing is inherited from the test process. */
  readonly env?: Record<string, string>;
  readonly tty?: { readonly columns: number };
}

/** A stream that keeps what is written to it. */
function capture(tty: RunOptions["tty"]): TextSink & { text(): string } {
  const chunks: string[] = [];
  return {
    write: (text: string) => chunks.push(text),
    text: () => chunks.join(""),
    ...(tty === undefined ? {} : { isTTY: true, columns: tty.columns }),
  };
}

/** Runs `hexarch ...args` in process and collects its output and exit code. */
export async function runHexarch(args: readonly string[], options: RunOptions): Promise<CliRun> {
  const stdout = capture(options.tty);
  const stderr = capture(options.tty);
  const code = await runCli(["node", "hexarch", ...args], createTerminal({ stdout, stderr, env: options.env ?? {}, cwd: options.cwd }));
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** A fresh temporary folder, with the named seed fixtures copied in; `remove()` deletes it. */
export function tempProject(seedFiles: readonly string[] = []): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "hexarch-cli-"));
  for (const file of seedFiles) copyFileSync(join(SEED, file), join(dir, basename(file)));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
