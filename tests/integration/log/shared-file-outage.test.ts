// Two processes appending to one log file while one of them cannot write for a second (its file size limit, as a full disk would).
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempFolder, verifyFiles } from "../../unit/log/log-support.js";

const TSX = import.meta.resolve("tsx");
const WORKER = fileURLToPath(new URL("shared-file-worker.ts", import.meta.url));
/** Bytes the limited writer may write up to: the other writer passes it within a few hundred milliseconds. */
const LIMIT = 20_000;

/** Starts a writer of `file` for `runMs`, under `prlimit --fsize` when `limit` is given; resolves its count of decisions. */
function writer(file: string, runMs: number, limit?: number): { pid: Promise<number>; made: Promise<number> } {
  const command = limit === undefined ? process.execPath : "prlimit";
  const args = [...(limit === undefined ? [] : [`--fsize=${limit}:unlimited`, process.execPath]), "--import", TSX, WORKER];
  const child = spawn(command, args, {
    env: { ...process.env, LOG_FILE: file, RUN_MS: String(runMs) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (text: string) => void (output += text));
  const started = new Promise<number>((done) => child.stdout.once("data", () => done(child.pid ?? 0)));
  const made = once(child, "exit").then(([code]) => {
    if (code !== 0) throw new Error(`writer exited with ${String(code)}`);
    return Number(output.trim().split("\n").at(-1));
  });
  return { pid: started, made };
}

describe("decision log: two writers of one file and a short write failure", () => {
  let folder: ReturnType<typeof tempFolder>;
  beforeEach(() => void (folder = tempFolder()));
  afterEach(() => folder.remove());

  it("a failed append never cuts the records another process wrote to the same file", async () => {
    const file = join(folder.dir, "shared.log");
    const limited = writer(file, 1500, LIMIT);
    const free = writer(file, 1500);
    const pid = await limited.pid;
    // The free writer soon takes the file past the limit; a second later the limited one may write again.
    await sleep(800);
    await promisify(execFile)("prlimit", ["--pid", String(pid), "--fsize=unlimited:unlimited"]);
    const made = await Promise.all([limited.made, free.made]);
    const report = await verifyFiles([file]);
    expect(report.problems).toEqual([]);
    expect(report.chains).toHaveLength(2);
    // Every chain's records verified: its header, its gap records, and decisions.
    const decisions = report.chains.reduce((sum, chain) => sum + chain.records - 1 - chain.gaps.length, 0);
    const lost = report.chains.flatMap((c) => c.gaps).reduce((sum, gap) => sum + gap.lost, 0);
    expect(decisions + lost).toBe(made[0] + made[1]);
  }, 30_000);
});
