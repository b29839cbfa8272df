// Smoke-test plumbing: pack the package without touching the repository's dist/, start the fresh app, send requests.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Runs a command to completion; its stdout, or an error carrying stdout and stderr. */
export function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(command, args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
}

/**
 * Builds the package with tsup into a staging folder holding the files package.json publishes, packs it, and
 * returns the tarball's path in `destination`. Other tests building dist/ in the repository are not disturbed.
 * @example const tarball = packIsolated(folder); run("npm", ["install", tarball], folder);
 */
export function packIsolated(destination: string): string {
  const staging = mkdtempSync(join(tmpdir(), "hexarch-stage-"));
  try {
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { files: string[] };
    for (const entry of ["package.json", ...manifest.files.filter((f) => f !== "dist")]) cpSync(join(ROOT, entry), join(staging, entry), { recursive: true });
    run("npx", ["tsup", "--out-dir", join(staging, "dist")], ROOT);
    run("npm", ["pack", "--pack-destination", destination, "--silent"], staging);
    const tarball = readdirSync(destination).find((name) => name.endsWith(".tgz"));
    if (tarball === undefined) throw new Error("npm pack produced no tarball");
    return join(destination, tarball);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
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
