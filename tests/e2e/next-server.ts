// Builds a Next.js app with `next build` and runs it with `next start` on a free port, for end-to-end tests and benches.
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { join } from "node:path";

/** The `next` executable the app in `cwd` would run: its own install, else the nearest one up the tree. */
function nextBin(cwd: string): string {
  return createRequire(join(cwd, "package.json")).resolve("next/dist/bin/next");
}

/** The environment a Next child process gets: telemetry off, production mode (vitest's NODE_ENV=test removed). */
function nextEnv(extra: Readonly<Record<string, string>>): Record<string, string | undefined> {
  const inherited = Object.entries(process.env).filter(([name]) => name !== "NODE_ENV");
  return { ...Object.fromEntries(inherited), NEXT_TELEMETRY_DISABLED: "1", ...extra };
}

/** Runs one Next CLI command to completion within `timeoutMs`; rejects with the output's tail on failure. */
function runNext(args: readonly string[], cwd: string, env: Record<string, string | undefined>, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [nextBin(cwd), ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const collect = (chunk: Buffer) => (output += chunk.toString());
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`next ${args.join(" ")} ended with ${signal ?? code}:\n${output.slice(-4000)}`));
    });
  });
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** A running `next start`. */
export interface NextServer {
  readonly url: string;
  stop(): Promise<void>;
}

/** `next build` in `cwd`; the output when it succeeds. */
export function buildNextApp(cwd: string, env: Readonly<Record<string, string>> = {}, timeoutMs = 300_000): Promise<string> {
  return runNext(["build"], cwd, nextEnv(env), timeoutMs);
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const force = setTimeout(() => child.kill("SIGKILL"), 5_000);
      child.once("exit", () => {
        clearTimeout(force);
        resolve();
      });
      child.kill("SIGTERM");
    });
}

/** `next start` of an app built before, on a free port; resolves once it answers HTTP, within `timeoutMs`. */
export async function startNextApp(cwd: string, env: Readonly<Record<string, string>> = {}, timeoutMs = 60_000): Promise<NextServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [nextBin(cwd), "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd,
    env: nextEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const stop = stopper(child);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}:\n${output.slice(-4000)}`);
    const answered = await fetch(url, { method: "HEAD" }).then(
      () => true,
      () => false,
    );
    if (answered) return { url, stop };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(`next start did not answer within ${timeoutMs} ms:\n${output.slice(-4000)}`);
}
