// Runs the hexarch CLI from source as a real child process, in a folder of the test's choosing.
import { execFile } from "node:child_process";
import { mkdtempSync, copyFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
/** The repository root. */
export const ROOT = resolve(here, "../..");
/** The CLI entry in source form. */
export const CLI_SOURCE = join(ROOT, "src/cli/main.ts");
/** The seed policy fixtures. */
export const SEED = join(ROOT, "tests/fixtures/seed");
/** The golden case files. */
export const CASES = join(ROOT, "tests/fixtures/cases");
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Environment without variables that would change what the CLI does. */
function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith("HEXARCH_") && name !== "NODE_ENV" && name !== "NO_COLOR") env[name] = value;
  }
  return { ...env, ...extra };
}

/** Runs `node <entry> ...args` (source through tsx by default) and collects its output and exit code. */
export function runHexarch(args: readonly string[], options: { cwd: string; env?: Record<string, string>; entry?: string }): Promise<CliRun> {
  const entry = options.entry ?? CLI_SOURCE;
  const nodeArgs = entry.endsWith(".ts") ? ["--import", TSX, entry, ...args] : [entry, ...args];
  return new Promise((done) => {
    execFile(process.execPath, nodeArgs, { cwd: options.cwd, env: cleanEnv(options.env ?? {}) }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      done({ code, stdout, stderr });
    });
  });
}

/** A fresh temporary folder, with the named seed fixtures copied in; `remove()` deletes it. */
export function tempProject(seedFiles: readonly string[] = []): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "hexarch-cli-"));
  for (const file of seedFiles) copyFileSync(join(SEED, file), join(dir, basename(file)));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
