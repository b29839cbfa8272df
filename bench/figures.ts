// `npm run figures`: measures the figures that change with the code and writes them into their marked regions of the
// docs, so none is typed by hand. `--suite` also times the whole test suite (minutes on 2 cores).
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { stripVTControlCharacters } from "node:util";

const ROOT = join(import.meta.dirname, "..");

/** What `npm pack --dry-run --json` says about one package. */
export interface PackReport {
  readonly version: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly entryCount: number;
  readonly files: readonly { readonly path: string; readonly size: number }[];
}

/** What one timed run of the suite gave. */
export interface SuiteRun {
  readonly seconds: number;
  readonly passed: number;
  readonly skipped: number;
  readonly date: string;
}

/** Bytes as npm prints them: kB with one decimal under 100 kB, whole kB above (1 kB = 1,000 bytes). */
export function kilobytes(bytes: number): string {
  const kb = bytes / 1000;
  return kb < 100 ? `${kb.toFixed(1)} kB` : `${Math.round(kb)} kB`;
}

/** The README's package figures, from a pack report. */
export function packageFigures(pack: PackReport): string {
  const inDist = pack.files.filter((file) => file.path.startsWith("dist/"));
  const distBytes = inDist.reduce((sum, file) => sum + file.size, 0);
  const maps = pack.files.some((file) => file.path.endsWith(".map"));
  return [
    `**Package** (${pack.version}, \`npm pack\`): a ${kilobytes(pack.size)} tarball of ${pack.entryCount} files, ` +
      `${kilobytes(pack.unpackedSize)} unpacked, of which ${kilobytes(distBytes)} is the code in \`dist/\` ` +
      `(${inDist.length} files, ${maps ? "with" : "no"} source maps) and the rest these pages, the examples and the JSON ` +
      "Schemas. The `hexarch` executable shares the library's chunks. `npm run check:package` runs `publint --strict` " +
      "and `attw --pack` (node10, node16 from CommonJS and from ESM, bundler).",
  ].join("\n");
}

/** The contributor's suite figures, from one timed run. */
export function suiteFigures(run: SuiteRun): string {
  return (
    `Last measured (${run.date}, \`npm run figures -- --suite\`): \`CI=true npm test\` took ${Math.round(run.seconds)} s ` +
    `for ${run.passed} tests passed and ${run.skipped} skipped, type-check included.`
  );
}

/** Reads vitest's summary line (`Tests  971 passed | 2 skipped (973)`). */
export function parseSuiteSummary(output: string): { passed: number; skipped: number } {
  const line = /^\s*Tests\s+(.*)$/m.exec(stripVTControlCharacters(output))?.[1];
  if (line === undefined) throw new Error("no vitest summary line (Tests …) in the suite's output");
  const count = (word: string): number => Number(new RegExp(`(\\d+) ${word}`).exec(line)?.[1] ?? 0);
  return { passed: count("passed"), skipped: count("skipped") };
}

/**
 * Replaces what lies between `<!-- figures:NAME:start -->` and `<!-- figures:NAME:end -->`; throws when the text has
 * no such region, so a renamed marker is noticed instead of skipped.
 * @example replaceRegion("a\n<!-- figures:x:start -->\nold\n<!-- figures:x:end -->", "x", "new") // "…start -->\nnew\n<!-- …"
 */
export function replaceRegion(text: string, name: string, content: string): string {
  const start = `<!-- figures:${name}:start -->`;
  const end = `<!-- figures:${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end, from);
  if (from === -1 || to === -1) throw new Error(`no region ${start} … ${end}`);
  return `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`;
}

function writeRegion(file: string, name: string, content: string): void {
  const path = join(ROOT, file);
  writeFileSync(path, replaceRegion(readFileSync(path, "utf8"), name, content));
  console.log(`${file}: ${name} figures written`);
}

function measurePackage(): PackReport {
  execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "ignore" });
  const [report] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json"], { cwd: ROOT, encoding: "utf8" })) as PackReport[];
  if (report === undefined) throw new Error("npm pack --dry-run --json printed no package");
  return report;
}

function measureSuite(): SuiteRun {
  const started = performance.now();
  const result = spawnSync("npm", ["test"], { cwd: ROOT, env: { ...process.env, CI: "true" }, encoding: "utf8", maxBuffer: 1 << 28 });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) {
    process.stderr.write(result.stdout.slice(-20_000) + result.stderr.slice(-5_000));
    throw new Error(`npm test failed (exit ${result.status}); no figures written`);
  }
  return { seconds, ...parseSuiteSummary(result.stdout), date: new Date().toISOString().slice(0, 10) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  writeRegion("README.md", "package", packageFigures(measurePackage()));
  if (process.argv.includes("--suite")) writeRegion("CONTRIBUTING.md", "suite", suiteFigures(measureSuite()));
}
