// Runs every code block the docs mark `<!-- runnable -->`, page by page, in a folder of its own: TypeScript and
// JavaScript blocks with tsx against src/ (imports of hexarch-guardrails point there), `npx hexarch …` lines through the
// CLI in process. Blocks marked `<!-- file: NAME -->` are written into that folder first, in page order; a block marked
// `<!-- output -->` right after a runnable one is what it must print.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../../src/cli/program.js";
import { createTerminal } from "../../../src/cli/terminal.js";
import { redisForTests } from "../../support/redis.js";
import { codeBlocks, documentationFiles, readRepoFile, ROOT, type CodeBlock } from "../../support/markdown.js";

const run = promisify(execFile);

/** Where `hexarch-guardrails` and its subpaths point when a block runs. */
const ENTRIES: Record<string, string> = {
  "hexarch-guardrails": "src/index.ts",
  "hexarch-guardrails/express": "src/adapters/express.ts",
  "hexarch-guardrails/koa": "src/adapters/koa.ts",
  "hexarch-guardrails/fetch": "src/adapters/fetch.ts",
  "hexarch-guardrails/next": "src/adapters/next.ts",
};

/** Pages that state no example of their own: the security model is a map of the attack suites. */
const WITHOUT_EXAMPLE = new Set(["CONTRIBUTING.md", "docs/security.md"]);

/** A block marked `needs=redis` gets REDIS_URL: the environment's, or a redis-server of the test's own. */
let redisUrl = "";

// Inside the repository, so a block's `import express from "express"` finds node_modules; .tmp/ is ignored by git.
const pages = documentationFiles()
  .map((file) => ({ file, blocks: codeBlocks(file, readRepoFile(file)) }))
  .filter(({ blocks }) => blocks.some((block) => block.mark.kind === "runnable"));

const SANDBOX_ROOT = join(ROOT, ".tmp", "docs-blocks");
mkdirSync(SANDBOX_ROOT, { recursive: true });
const sandbox = mkdtempSync(join(SANDBOX_ROOT, "run-"));
let releaseRedis: (() => Promise<void>) | undefined;
beforeAll(async () => {
  if (!pages.some(({ blocks }) => blocks.some((b) => b.mark.kind === "runnable" && b.mark.needs === "redis"))) return;
  const redis = await redisForTests();
  redisUrl = redis.url;
  releaseRedis = redis.release;
});
afterAll(async () => {
  rmSync(sandbox, { recursive: true, force: true });
  await releaseRedis?.();
});

function pointImportsAtSource(code: string): string {
  return code.replace(/(["'])(hexarch-guardrails(?:\/[a-z]+)?)\1/g, (whole, _quote: string, name: string) => {
    const entry = ENTRIES[name];
    return entry === undefined ? whole : JSON.stringify(join(ROOT, entry));
  });
}

async function runScript(folder: string, block: CodeBlock, index: number): Promise<string> {
  const file = join(folder, `block-${index}.${block.language === "js" ? "mjs" : "mts"}`);
  writeFileSync(file, pointImportsAtSource(block.code));
  const env = { ...process.env, NO_COLOR: "1", REDIS_URL: redisUrl };
  const { stdout } = await run(join(ROOT, "node_modules", ".bin", "tsx"), [file], { cwd: folder, env, timeout: 20_000 });
  return stdout;
}

/** Splits one command line into words, as a shell would for plain and quoted words. */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? "");
}

async function runShell(folder: string, block: CodeBlock): Promise<string> {
  let output = "";
  const sink = { write: (text: string) => (output += text) };
  for (const raw of block.code.split("\n")) {
    const line = raw.replace(/\s+#.*$/, "").replace(/^\$\s*/, "").trim();
    if (line === "") continue;
    const [npx, command, ...args] = words(line);
    if (npx !== "npx" || (command !== "hexarch" && command !== "hexarch-guardrails"))
      throw new Error(`${block.file}:${block.line}: a runnable shell block holds only npx hexarch commands, not: ${line}`);
    const terminal = createTerminal({ stdout: sink, stderr: sink, env: { NO_COLOR: "1" }, cwd: folder });
    const code = await runCli(["node", "hexarch", ...args], terminal);
    if (code !== 0) throw new Error(`${block.file}:${block.line}: \`${line}\` exited ${code}:\n${output}`);
  }
  return output;
}

/** Every marked block of one page, run in order in a folder of its own. */
async function runPage(file: string, blocks: readonly CodeBlock[]): Promise<void> {
  const folder = join(sandbox, file.replace(/[/.]/g, "_"));
  mkdirSync(folder, { recursive: true });
  for (const [index, block] of blocks.entries()) {
    if (block.mark.kind === "file") writeFileSync(join(folder, block.mark.name), block.code);
    if (block.mark.kind !== "runnable") continue;
    const output = block.language === "sh" ? await runShell(folder, block) : await runScript(folder, block, index);
    const next = blocks[index + 1];
    if (next?.mark.kind === "output") expect(output.trimEnd(), `${file}:${block.line} prints`).toBe(next.code.trimEnd());
  }
}


describe("runnable documentation", () => {
  it("marks at least one block runnable on every page under docs/ and in the README", () => {
    const withExample = new Set(pages.map(({ file }) => file));
    expect(documentationFiles().filter((file) => !WITHOUT_EXAMPLE.has(file) && !withExample.has(file))).toEqual([]);
  });

  it.concurrent.each(pages)("runs every block marked runnable in $file", async ({ file, blocks }) => {
    await runPage(file, blocks);
  });
});
