// The decision log across process boundaries: SIGTERM flushes what is buffered, and `log query --follow` prints records as they are
// written, across a rotation.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createGuardian } from "../../../src/index.js";
import { eventually } from "../../support/redis.js";
import { quickstartWithLogging, recordsIn, tempFolder, verifyFiles } from "../../unit/log/log-support.js";

const TSX = import.meta.resolve("tsx");
const WORKER = fileURLToPath(new URL("sigterm-worker.ts", import.meta.url));
const CLI = fileURLToPath(new URL("../../../src/cli/main.ts", import.meta.url));

/** Starts `node --import tsx file args…` and collects its standard output. */
function start(file: string, args: readonly string[], env: Record<string, string>, cwd: string): ChildProcess & { output(): string } {
  const child = spawn(process.execPath, ["--import", TSX, file, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout?.setEncoding("utf8").on("data", (text: string) => void (output += text));
  return Object.assign(child, { output: () => output });
}

describe("decision log across processes", () => {
  let folder: ReturnType<typeof tempFolder>;
  const children: ChildProcess[] = [];
  beforeEach(() => void (folder = tempFolder()));
  afterEach(() => {
    for (const child of children.splice(0)) child.kill("SIGKILL");
    folder.remove();
  });

  it("loses nothing on SIGTERM: every buffered decision is written, the chain verifies, and the signal still ends the process", async () => {
    const file = join(folder.dir, "guardrails.log");
    const worker = start(WORKER, [], { LOG_FILE: file, DECISIONS: "500" }, folder.dir);
    children.push(worker);
    await eventually(async () => worker.output().includes("ready"), 600, 50);
    const exited = once(worker, "exit");
    worker.kill("SIGTERM");
    const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
    expect({ code, signal }).toEqual({ code: null, signal: "SIGTERM" });
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
    const users = () =>
      follower
        .output()
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => (JSON.parse(line) as { context: { user: string } }).context.user);
    await eventually(async () => users().length === 1, 600, 50);
    const later = Array.from({ length: 12 }, (_v, i) => `u${i}`);
    for (const user of later) await deleteBy([user]);
    await eventually(async () => users().length === 13, 600, 50);
    expect(users()).toEqual(["before", ...later]);
    expect(existsSync(`${file}.2`)).toBe(true);
    expect((await verifyFiles([file])).problems).toEqual([]);
  }, 60_000);
});
