// The decision log across process boundaries: an app's own shutdown (a SIGTERM handler, or simply ending) writes out what is
// buffered, and `log query --follow` prints records as they are written, across a rotation.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { appendFileSync, existsSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createGuardian } from "../../../src/index.js";
import { eventually } from "../../support/redis.js";
import { quickstartWithLogging, recordsIn, tempFolder, verifyFiles } from "../../unit/log/log-support.js";

const TSX = import.meta.resolve("tsx");
const WORKER = fileURLToPath(new URL("sigterm-worker.ts", import.meta.url));
const CLI = fileURLToPath(new URL("../../../src/cli/main.ts", import.meta.url));

/** Starts `node --import tsx file args…` and collects its standard output and standard error. */
function start(
  file: string,
  args: readonly string[],
  env: Record<string, string>,
  cwd: string,
): ChildProcess & { output(): string; errors(): string } {
  const child = spawn(process.execPath, ["--import", TSX, file, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let errors = "";
  child.stdout?.setEncoding("utf8").on("data", (text: string) => void (output += text));
  child.stderr?.setEncoding("utf8").on("data", (text: string) => void (errors += text));
  return Object.assign(child, { output: () => output, errors: () => errors });
}

/** The records a `log query --json` process has printed so far. */
function printed<Entry>(query: { output(): string }): Entry[] {
  return query
    .output()
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Entry);
}

/** A decision line of chain `c1` for `log query`: enough fields to be matched and printed. */
function decisionLine(seq: number): string {
  return `${JSON.stringify({ chain: "c1", seq, type: "decision", time: "2026-12-04T09:00:00.000Z", outcome: "allow", context: { user: `u${seq}` } })}\n`;
}

describe("decision log across processes", () => {
  let folder: ReturnType<typeof tempFolder>;
  const children: ChildProcess[] = [];
  beforeEach(() => void (folder = tempFolder()));
  afterEach(() => {
    for (const child of children.splice(0)) child.kill("SIGKILL");
    folder.remove();
  });

  it("an app that stops on SIGTERM itself (process.once) is not ended by the log: it closes its guardian, loses nothing, exits as it says", async () => {
    const file = join(folder.dir, "guardrails.log");
    const worker = start(WORKER, [], { LOG_FILE: file, DECISIONS: "500", ENDING: "handler" }, folder.dir);
    children.push(worker);
    await eventually(async () => worker.output().includes("ready"), 600, 50);
    const exited = once(worker, "exit");
    worker.kill("SIGTERM");
    const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
    expect({ code, signal, output: worker.output() }).toEqual({ code: 3, signal: null, output: "ready\nclosed\n" });
    expect(recordsIn(file).filter((record) => record["type"] === "decision")).toHaveLength(500);
    expect(await verifyFiles([file])).toMatchObject({ ok: true, problems: [] });
  }, 60_000);

  it("an app that ends on its own without close() loses nothing: the log is written out before the process exits", async () => {
    const file = join(folder.dir, "guardrails.log");
    const worker = start(WORKER, [], { LOG_FILE: file, DECISIONS: "500", ENDING: "natural" }, folder.dir);
    children.push(worker);
    const [code] = (await once(worker, "exit")) as [number | null];
    expect({ code, errors: worker.errors() }).toEqual({ code: 0, errors: "" });
    expect(recordsIn(file).filter((record) => record["type"] === "decision")).toHaveLength(500);
    expect(await verifyFiles([file])).toMatchObject({ ok: true, problems: [] });
  }, 60_000);

  it("log query --follow prints matching records as they are written, from the file's start and past a rotation", async () => {
    const file = join(folder.dir, "guardrails.log");
    const policy = join(folder.dir, "hexarch.yaml");
    // Small files rotate every few decisions; keep enough of them that none is removed before a follower slowed by
    // a loaded machine reaches it (a file deleted unread is gone, for any reader).
    writeFileSync(policy, quickstartWithLogging([`file: ${JSON.stringify(file)}`, "level: info", "max_bytes: 3000", "keep: 50"]));
    const deleteBy = async (users: readonly string[]): Promise<void> => {
      const guardian = createGuardian({ policyFile: policy, env: {} });
      for (const user of users) {
        await guardian.check("safe_delete", { operation: "delete", route: "/items/1", method: "DELETE", user });
        await guardian.check("rate_limit", { client: user });
      }
      await guardian.close();
    };
    await deleteBy(["before"]);
    const follower = start(CLI, ["log", "query", "--follow", "--outcome", "confirm", "--json"], {}, folder.dir);
    children.push(follower);
    const users = () => printed<{ context: { user: string } }>(follower).map((record) => record.context.user);
    await eventually(async () => users().length === 1, 600, 50);
    const later = Array.from({ length: 12 }, (_v, i) => `u${i}`);
    for (const user of later) await deleteBy([user]);
    // Up to a minute: twelve guardians each open, write and close a rotating log while the follower runs beside a full
    // suite on two cores. If it still fails, the message shows what the follower printed: a gap, or only slowness.
    await eventually(async () => users().length === 13, 1200, 50).catch((error: unknown) => {
      throw new Error(`the follower printed ${JSON.stringify(users())}; stderr: ${follower.errors()}`, { cause: error });
    });
    expect(users()).toEqual(["before", ...later]);
    expect(existsSync(`${file}.2`)).toBe(true);
    expect((await verifyFiles([file])).problems).toEqual([]);
  }, 120_000);

  it("log query --follow does not skip the files rotated after its own once its own was removed, and says which records it missed", async () => {
    const file = join(folder.dir, "guardrails.log");
    writeFileSync(file, decisionLine(1));
    const follower = start(CLI, ["log", "query", "--follow", "--json", file], {}, folder.dir);
    children.push(follower);
    const seqs = () => printed<{ seq: number }>(follower).map((record) => record.seq);
    await eventually(async () => seqs().length === 1, 600, 50);
    /** What the file sink does with keep: 1, then a new file with `seq`. */
    const rotate = (seq: number): void => {
      if (existsSync(`${file}.1`)) unlinkSync(`${file}.1`);
      renameSync(file, `${file}.1`);
      writeFileSync(file, decisionLine(seq));
    };
    // Two rotations between two looks of the follower (one JavaScript turn): its file is removed, the next is file.1.
    appendFileSync(file, decisionLine(2));
    rotate(3);
    rotate(4);
    await eventually(async () => seqs().length === 4, 600, 50);
    expect(seqs()).toEqual([1, 2, 3, 4]);
    expect(follower.errors()).toBe("");
    // Three at once: the file holding record 6 is written and removed before the follower looks.
    appendFileSync(file, decisionLine(5));
    rotate(6);
    rotate(7);
    rotate(8);
    await eventually(async () => seqs().length === 7, 600, 50);
    expect(seqs()).toEqual([1, 2, 3, 4, 5, 7, 8]);
    await eventually(async () => follower.errors().includes("record 6 of chain c1 went unread"), 100, 50);
  }, 60_000);
});
