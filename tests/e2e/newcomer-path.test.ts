// A newcomer's path from npm alone: a folder from `npm init -y` (CommonJS, as npm writes it) and one made ESM, each with
// its own `npm install` of the packed tarball and the frameworks (nothing found in the repository's node_modules), then
// the docs followed literally: `hexarch init` for Express and for Koa, its check line, the printed app pasted and
// started (a 428 and a 429), and the README's and docs/frameworks.md's Express and Koa examples run as written.
import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { printedFile } from "../support/init-output.js";
import { codeBlocks, documentationFiles, readRepoFile, type CodeBlock } from "../support/markdown.js";
import { confirmAndLimitStatuses, run, sharedInstall, startOnFreePort } from "../smoke/packed-app.js";

const runAsync = promisify(execFile);
const SECRET = "newcomer-secret-0123456789abcdef";
/** The README's install line with the Koa alternative it names, and @koa/router its Koa example imports. */
const FRAMEWORKS = ["express", "koa", "@koa/router", "@koa/bodyparser"];
/** What an example may import and still run here: the frameworks installed above, the package, Node's own modules. */
const INSTALLED = /^(?:express|koa|@koa\/router|@koa\/bodyparser|hexarch-guardrails\/(?:express|koa)|node:[a-z_]+)$/;

interface Folder {
  readonly name: "commonjs" | "esm";
  readonly path: string;
}
const folders: Folder[] = [];

/** A fresh folder outside the repository, made by `npm init -y` (ESM: then `npm pkg set type=module`), with its own install. */
async function newcomerFolder(name: Folder["name"], tarball: string, parent: string): Promise<Folder> {
  const path = join(parent, name);
  mkdirSync(path);
  await runAsync("npm", ["init", "-y"], { cwd: path });
  if (name === "esm") await runAsync("npm", ["pkg", "set", "type=module"], { cwd: path });
  await runAsync("npm", ["install", tarball, ...FRAMEWORKS, "--prefer-offline", "--no-audit", "--no-fund", "--silent"], { cwd: path });
  return { name, path };
}

let parent = "";
beforeAll(async () => {
  const { tarball } = await sharedInstall();
  parent = mkdtempSync(join(tmpdir(), "hexarch-newcomer-"));
  // Both installs at once: each is mostly waiting on npm's cache and the disk.
  folders.push(...(await Promise.all([newcomerFolder("commonjs", tarball, parent), newcomerFolder("esm", tarball, parent)])));
}, 900_000);
afterAll(() => {
  if (parent !== "") rmSync(parent, { recursive: true, force: true });
});

const env = { ...process.env, HEXARCH_SECRET: SECRET, NODE_ENV: "production" };
const npx = (folder: Folder, ...args: string[]): string => run("npx", ["--no-install", "hexarch-guardrails", ...args], folder.path, env);

describe.each(["commonjs", "esm"] as const)("a newcomer in a %s folder from npm init -y", (name) => {
  const folder = (): Folder => folders.find((f) => f.name === name) as Folder;

  it.each(["express", "koa"] as const)(
    "%s: init, its check line, the printed app pasted and started: a DELETE answers 428 and the 101st GET 429",
    async (framework) => {
      const printed = npx(folder(), "init", "--force", "--framework", framework);
      expect(npx(folder(), "validate")).toContain("valid hexarch.yaml");
      expect(npx(folder(), "test").trimEnd().split("\n").at(-1)).toBe("3 passed, 0 failed");
      const { file, code } = printedFile(printed);
      expect(file).toBe("server.js");
      expect(code.join("\n")).toContain(name === "esm" ? "import " : "require(");
      writeFileSync(join(folder().path, file), `${code.join("\n")}\n`);
      const app = await startOnFreePort([file], folder().path, env);
      const result = await confirmAndLimitStatuses(`${app.url}/items/7`).finally(() => app.child.kill());
      expect(result.delete).toBe(428);
      expect(result.gets.slice(0, 100).every((status) => status === 200)).toBe(true);
      expect(result.gets[100]).toBe(429);
    },
    120_000,
  );

  /** Each page's JavaScript examples that import only what is installed here, with the files written before them. */
  const examples = ["README.md", "docs/frameworks.md"].flatMap((page) => {
    const blocks = codeBlocks(page, readRepoFile(page));
    return blocks.flatMap((block, index) => {
      if (block.mark.kind !== "runnable" || block.language !== "js") return [];
      const imports = [...block.code.matchAll(/from "([^"]+)"/g)].map((match) => match[1] ?? "");
      if (!imports.every((specifier) => INSTALLED.test(specifier))) return [];
      const files = blocks.slice(0, index).filter((b): b is CodeBlock & { mark: { kind: "file"; name: string } } => b.mark.kind === "file");
      const output = blocks[index + 1]?.mark.kind === "output" ? blocks[index + 1]?.code : undefined;
      return [{ title: `${page}:${block.line}`, block, files, output }];
    });
  });

  it("finds the README's Express and Koa examples and docs/frameworks.md's", () => {
    expect(examples.map((e) => e.title.split(":")[0])).toEqual(["README.md", "README.md", "docs/frameworks.md"]);
  });

  it.each(examples)("$title runs as written and prints what the page shows", ({ block, files, output }) => {
    // Its own subfolder, so the files the page writes first are the ones found; packages resolve from the folder above.
    const here = join(folder().path, `example-${block.line}-${block.file.replace(/\W/g, "-")}`);
    mkdirSync(here, { recursive: true });
    for (const file of files) writeFileSync(join(here, file.mark.name), file.code);
    // A page's example is an ES module (top-level await): a CommonJS folder runs it as .mjs, an ESM folder as .js.
    const script = name === "esm" ? "example.js" : "example.mjs";
    writeFileSync(join(here, script), block.code);
    expect(output).toBeDefined();
    expect(run(process.execPath, [script], here, env)).toBe(output);
  });
});

describe("what the README points a newcomer to, in the installed package", () => {
  it("holds every page the README maps, and `hexarch client python` prints the shipped Python client, which Python parses", () => {
    const commonjs = folders[0] as Folder;
    const installed = join(commonjs.path, "node_modules", "hexarch-guardrails");
    for (const page of [...documentationFiles(), "examples/server/README.md"]) expect(existsSync(join(installed, page)), page).toBe(true);
    const printed = npx(commonjs, "client", "python");
    expect(printed).toBe(readFileSync(join(installed, "examples", "server", "hexarch_client.py"), "utf8"));
    writeFileSync(join(commonjs.path, "hexarch.py"), printed);
    if (spawnSync("python3", ["--version"]).status !== 0) return; // no Python on this machine: the printed file is what is checked
    const parsed = spawnSync("python3", ["-c", "import ast, sys; ast.parse(open(sys.argv[1]).read())", "hexarch.py"], {
      cwd: commonjs.path,
      encoding: "utf8",
    });
    expect(parsed.stderr).toBe("");
    expect(parsed.status).toBe(0);
  });
});
