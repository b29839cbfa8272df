// Runs every code block the docs mark `<!-- runnable -->`, page by page, in a folder of its own: TypeScript and
// JavaScript blocks with tsx against src/ (imports of hexarch-guardrails point there), `npx hexarch …` lines through the
// CLI in process. Blocks marked `<!-- file: NAME -->` are written into that folder first, in page order; a block marked
// `<!-- output -->` right after a runnable one is what it must print.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../../src/cli/program.js";
import { createTerminal } from "../../../src/cli/terminal.js";
import { freePort, redisForTests } from "../../support/redis.js";
import { codeBlocks, documentationFiles, readRepoFile, ROOT, type CodeBlock } from "../../support/markdown.js";

const run = promisify(execFile);

/** Where `hexarch-guardrails` and its subpaths point when a block runs. */
const ENTRIES: Record<string, string> = {
  "hexarch-guardrails": "src/index.ts",
  "hexarch-guardrails/express": "src/adapters/express.ts",
  "hexarch-guardrails/koa": "src/adapters/koa.ts",
  "hexarch-guardrails/fetch": "src/adapters/fetch.ts",
  "hexarch-guardrails/next": "src/adapters/next.ts",
  "hexarch-guardrails/mcp": "src/adapters/mcp.ts",
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
  const { stdout } = await run(join(ROOT, "node_modules", ".bin", "tsx"), [file], { cwd: folder, env, timeout: 60_000 });
  return stdout;
}

/** Splits one command line into words, as a shell would for plain and quoted words. */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? "");
}

/** A page's state while its blocks run: its folder, the port standing in for 8099, servers started with `&`. */
interface PageRun {
  readonly folder: string;
  readonly port: number;
  readonly background: ChildProcess[];
}

/** Starts `npx hexarch serve … &` as a process of its own, and waits until it answers /health. */
async function startInBackground(page: PageRun, args: readonly string[]): Promise<void> {
  const child = spawn(join(ROOT, "node_modules", ".bin", "tsx"), [join(ROOT, "src", "cli", "main.ts"), ...args], {
    cwd: page.folder,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: "ignore",
  });
  page.background.push(child);
  for (let attempt = 0; attempt < 600; attempt++) {
    if (child.exitCode !== null) throw new Error(`hexarch ${args.join(" ")} exited ${child.exitCode}`);
    const up = await fetch(`http://127.0.0.1:${page.port}/health`).then(
      (answer) => answer.ok,
      () => false,
    );
    if (up) return;
    await sleep(100);
  }
  throw new Error(`hexarch ${args.join(" ")} did not answer /health within a minute`);
}

/** Runs a shell block: `npx hexarch …` lines through the CLI in process (`&`: as a server), `curl` lines as they are. */
async function runShell(page: PageRun, block: CodeBlock): Promise<string> {
  let output = "";
  const sink = { write: (text: string) => (output += text) };
  const lines = block.code.replace(/\\\n\s*/g, " ").split("\n");
  for (const raw of lines) {
    const line = raw
      .replace(/\s+#.*$/, "")
      .replace(/^\$\s*/, "")
      .trim();
    if (line === "") continue;
    const background = line.endsWith("&");
    const [command, ...rest] = words(line.replace(/&$/, ""));
    const [name, ...args] = rest;
    if (command === "curl") {
      output += (await run("curl", rest, { cwd: page.folder, timeout: 30_000 })).stdout;
    } else if (command === "npx" && (name === "hexarch" || name === "hexarch-guardrails")) {
      if (background) {
        await startInBackground(page, args);
        continue;
      }
      const terminal = createTerminal({ stdout: sink, stderr: sink, env: { NO_COLOR: "1" }, cwd: page.folder });
      const code = await runCli(["node", "hexarch", ...args], terminal);
      if (code !== 0) throw new Error(`${block.file}:${block.line}: \`${line}\` exited ${code}:\n${output}`);
    } else {
      throw new Error(`${block.file}:${block.line}: a runnable shell block holds npx hexarch and curl commands, not: ${line}`);
    }
  }
  return output;
}

const waiting: (() => void)[] = [];
let running = 0;

/** Runs `work` once fewer than availableParallelism() others are running. */
async function slot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= availableParallelism()) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/**
 * Every marked block of one page, run in order in a folder of its own. The examples' server port, 8099, becomes a
 * free port, so pages and other suites never meet on it.
 */
async function runPage(file: string, blocks: readonly CodeBlock[]): Promise<void> {
  const page: PageRun = { folder: join(sandbox, file.replace(/[/.]/g, "_")), port: await freePort(), background: [] };
  mkdirSync(page.folder, { recursive: true });
  try {
    for (const [index, written] of blocks.entries()) {
      const block = { ...written, code: written.code.replaceAll("8099", String(page.port)) };
      if (block.mark.kind === "file") writeFileSync(join(page.folder, block.mark.name), block.code);
      if (block.mark.kind !== "runnable") continue;
      const output = block.language === "sh" ? await runShell(page, block) : await runScript(page.folder, block, index);
      const next = blocks[index + 1];
      if (next?.mark.kind === "output") expect(output.trimEnd(), `${file}:${block.line} prints`).toBe(next.code.trimEnd());
    }
  } finally {
    for (const child of page.background) child.kill("SIGTERM");
  }
}

describe("runnable documentation", () => {
  it("marks at least one block runnable on every page under docs/ and in the README", () => {
    const withExample = new Set(pages.map(({ file }) => file));
    expect(documentationFiles().filter((file) => !WITHOUT_EXAMPLE.has(file) && !withExample.has(file))).toEqual([]);
  });

  // One tsx process per block, about a second of CPU each: pages run side by side, as many at once as there are cores.
  it.concurrent.each(pages)("runs every block marked runnable in $file", { timeout: 120_000 }, async ({ file, blocks }) => {
    await slot(() => runPage(file, blocks));
  });
});
