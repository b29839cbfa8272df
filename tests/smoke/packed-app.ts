// Smoke-test plumbing: pack and install the package once per run without touching dist/, start apps, send requests.
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { freePort } from "../e2e/next-server.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Runs a command to completion; its stdout, or an error carrying stdout and stderr. */
export function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(command, args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
}

const execFileAsync = promisify(execFile);

/** `run` without blocking the process: the shared install runs in vitest's main process while tests run. */
async function runInBackground(command: string, args: readonly string[], cwd: string): Promise<void> {
  await execFileAsync(command, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
}

/**
 * Builds the package with tsup into a staging folder holding the files package.json publishes, packs it, and
 * returns the tarball's path in `destination`. Other tests building dist/ in the repository are not disturbed.
 */
async function packIsolated(destination: string): Promise<string> {
  const staging = mkdtempSync(join(tmpdir(), "hexarch-stage-"));
  try {
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { files: string[] };
    for (const entry of ["package.json", ...manifest.files.filter((f) => f !== "dist")])
      cpSync(join(ROOT, entry), join(staging, entry), { recursive: true });
    await runInBackground("npx", ["tsup", "--out-dir", join(staging, "dist")], ROOT);
    await runInBackground("npm", ["pack", "--pack-destination", destination, "--silent"], staging);
    const tarball = readdirSync(destination).find((name) => name.endsWith(".tgz"));
    if (tarball === undefined) throw new Error("npm pack produced no tarball");
    return join(destination, tarball);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
}

/**
 * What every smoke app imports, at the versions the repository tests with (@koa/bodyparser is not among them); ioredis and pg are the
 * optional peers.
 */
const FRAMEWORKS = ["express", "koa", "@koa/router", "next", "react", "react-dom", "@types/express", "@types/koa", "ioredis", "pg"];

/**
 * Where a run's install lives: one folder per vitest run, named after vitest's main process (the parent of every
 * worker, and the process that runs globalSetup).
 */
const runFolder = (vitestPid: number): string => join(tmpdir(), "hexarch-smoke-runs", String(vitestPid));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Removes the install folders of earlier runs whose vitest has ended. */
function removeEndedRuns(runs: string): void {
  for (const name of existsSync(runs) ? readdirSync(runs) : []) {
    if (/^\d+$/.test(name) && !alive(Number(name))) rmSync(join(runs, name), { recursive: true, force: true });
  }
}

/** Waits until the builder marks `folder` ready; rejects with the builder's error if it wrote one instead. */
async function waitFor(folder: string, timeoutMs: number): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (existsSync(join(folder, ".ready"))) return;
    if (existsSync(join(folder, ".failed")))
      throw new Error(`the shared smoke install failed: ${readFileSync(join(folder, ".failed"), "utf8")}`);
    if (Date.now() - started > timeoutMs) throw new Error(`the shared smoke install in ${folder} was not ready within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** The packed tarball, and the folder it is installed in with every framework. */
export interface SharedInstall {
  readonly root: string;
  readonly tarball: string;
}

/**
 * Packs and installs into the run's folder unless another caller already claimed it (the folder exists): then
 * resolves at once, and `sharedInstall()` waits for the claimer's `.ready`. Never rejects: a failure is written
 * to `.failed` for the waiting tests to report.
 */
export async function installOnce(vitestPid: number): Promise<void> {
  const runs = runFolder(vitestPid);
  const folder = process.env["HEXARCH_SMOKE_INSTALL"] ?? join(runs, "install");
  mkdirSync(runs, { recursive: true });
  try {
    mkdirSync(folder);
  } catch {
    return;
  }
  try {
    removeEndedRuns(dirname(runs));
    const tarball = await packIsolated(runs);
    writeFileSync(join(folder, "package.json"), JSON.stringify({ name: "smoke-apps", private: true }));
    const packages = [tarball, ...FRAMEWORKS.map((name) => `${name}@${installedVersion(name)}`), "@koa/bodyparser@6"];
    await runInBackground("npm", ["install", ...packages, "--no-audit", "--no-fund", "--prefer-offline", "--silent"], folder);
    writeFileSync(join(folder, ".ready"), tarball);
  } catch (error) {
    writeFileSync(join(folder, ".failed"), error instanceof Error ? error.message : String(error));
  }
}

/**
 * The folder, shared by every smoke test of this vitest run, where the packed tarball is installed once with
 * Express, Koa (with @koa/router and @koa/bodyparser) and Next.js. The e2e project's globalSetup starts the install
 * in vitest's main process before any test runs, so both workers go on with other files meanwhile; a smoke test
 * waits here until it is ready (or builds it, when no globalSetup did). Apps go in subfolders with their own
 * package.json; Node finds the packages above.
 * `HEXARCH_SMOKE_INSTALL=<an earlier run's install folder>` reuses that one, to re-run one smoke file by hand.
 * @example const { root } = await sharedInstall(); appFolder(root, "my-app", { "app.mjs": APP });
 */
export async function sharedInstall(timeoutMs = 840_000): Promise<SharedInstall> {
  const folder = process.env["HEXARCH_SMOKE_INSTALL"] ?? join(runFolder(process.ppid), "install");
  await installOnce(process.ppid);
  await waitFor(folder, timeoutMs);
  return { root: folder, tarball: readFileSync(join(folder, ".ready"), "utf8") };
}

/**
 * A fresh app folder inside the shared install, holding `files` (paths relative to it, folders created).
 * @example const app = appFolder(root, "express-esm", { "package.json": '{"type":"module"}', "app.mjs": APP });
 */
export function appFolder(root: string, name: string, files: Readonly<Record<string, string>>): string {
  const folder = join(root, name);
  rmSync(folder, { recursive: true, force: true });
  for (const [relative, text] of Object.entries(files)) {
    mkdirSync(dirname(join(folder, relative)), { recursive: true });
    writeFileSync(join(folder, relative), text);
  }
  return folder;
}

/** A Node script that prints `PORT <n>` once listening, started in `cwd`. */
export function startScript(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [script], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const port = /PORT (\d+)/.exec(output)?.[1];
      if (port !== undefined) resolve({ child, port: Number(port) });
    });
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}: ${output}`)));
  });
}

/** Sends `count` GETs to `url` one after the other: their statuses and the last Retry-After. */
export async function getsInARow(url: string, count: number): Promise<{ statuses: number[]; retryAfter: string | null }> {
  const statuses: number[] = [];
  let retryAfter: string | null = null;
  for (let i = 0; i < count; i++) {
    const answer = await fetch(url);
    statuses.push(answer.status);
    retryAfter = answer.headers.get("retry-after");
    await answer.arrayBuffer();
  }
  return { statuses, retryAfter };
}

/** Resolves once something listens on `port`, polling with bare TCP connections (no request is counted). */
async function listening(port: number, child: ChildProcess, output: () => string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode}: ${output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the app never listened on ${port}: ${output()}`);
}

/**
 * What `init`'s app answers at `url` (its /items/7): one DELETE (428 until confirmed), then 101 GETs (the 101st over the
 * starter policy's 100 a minute).
 */
export async function confirmAndLimitStatuses(url: string): Promise<{ delete: number; gets: number[] }> {
  const deleted = await fetch(url, { method: "DELETE" });
  await deleted.arrayBuffer();
  const gets: number[] = [];
  for (let i = 0; i < 101; i++) {
    const answer = await fetch(url);
    gets.push(answer.status);
    await answer.arrayBuffer();
  }
  return { delete: deleted.status, gets };
}

/**
 * Starts `node <args>` in `cwd` with PORT set to a free port and resolves once it listens there (an app as `init`
 * prints it reads PORT); rejects with its output if it exits first.
 * @example const app = await startOnFreePort(["server.js"], folder, process.env); await fetch(`${app.url}/items/7`); app.child.kill();
 */
export async function startOnFreePort(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, args, { cwd, env: { ...env, PORT: String(port) }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  try {
    await listening(port, child, () => output);
  } catch (error) {
    child.kill();
    throw error;
  }
  return { child, url: `http://127.0.0.1:${port}` };
}
