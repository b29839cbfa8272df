// Attacks on a decision log file, as someone who can write the log (and its checkpoints) but does not hold HEXARCH_LOG_KEY would try.
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalJson } from "../../../src/log/canonical.js";
import { Chain, checkpointBody } from "../../../src/log/chain.js";
import { checkpointPath } from "../../../src/log/file-sink.js";
import { logFiles } from "../../../src/log/read.js";
import { logMac } from "../../../src/log/mac.js";
import { settleRecord } from "../../../src/log/records.js";
import { verifyStoredLog } from "../../../src/log/verify.js";
import { loggingGuardian, quickstartWithLogging, recordsIn, tempFolder, verifyFiles } from "../../unit/log/log-support.js";

const KEY = "attack-suite-key-0123456789abcdef";
let folder: ReturnType<typeof tempFolder>;
/** The lines and checkpoints of an honest keyed log of 40 decisions, checkpointed every 10 records. */
let honest: { lines: string[]; checkpoints: string[]; chain: string };

beforeAll(async () => {
  folder = tempFolder();
  const file = join(folder.dir, "honest.log");
  const guardian = loggingGuardian(quickstartWithLogging([`file: ${JSON.stringify(file)}`, "checkpoint_every: 10"]), {
    env: { HEXARCH_LOG_KEY: KEY },
  });
  for (let i = 0; i < 40; i += 1) await guardian.check("rate_limit", { client: `c${i}` });
  await guardian.close();
  const checkpoints = readFileSync(checkpointPath(file), "utf8").split("\n").filter(Boolean);
  honest = { lines: readFileSync(file, "utf8").split("\n").filter(Boolean), checkpoints, chain: String(recordsIn(file)[0]?.["chain"]) };
});
afterAll(() => folder.remove());

/** Writes a log file `name` with `lines` and `checkpoints`; returns its path. */
function logWith(name: string, lines: readonly string[], checkpoints: readonly string[] = honest.checkpoints): string {
  const path = join(folder.dir, name);
  writeFileSync(path, lines.map((line) => `${line}\n`).join(""));
  writeFileSync(checkpointPath(path), checkpoints.map((line) => `${line}\n`).join(""));
  return path;
}

/** A chain of `count` settle records sealed with `key` (none: plain SHA-256, as anyone can), with its closing checkpoint. */
function forgedChain(key: string | undefined, count: number, firstSeq = 0): { lines: string[]; checkpoint: string; id: string } {
  const chain = new Chain(logMac(key), { instance: "forger", policyFile: "hexarch.yaml", policyDigest: "0" });
  const bodies = Array.from({ length: count }, (_v, i) => settleRecord(`forged-${i}`, Date.UTC(2026, 11, 7), "api_budget", 0));
  const batch = chain.seal(bodies, false);
  chain.commit(batch);
  // A chain that pretends to continue from an earlier file drops its header and renumbers nothing: its first MAC still tells.
  const lines = batch.lines.slice(firstSeq);
  return { lines, checkpoint: JSON.stringify(chain.checkpoint(Date.now())), id: chain.id };
}

describe("attacks on a keyed log file", () => {
  it("an unkeyed chain with its own signed checkpoint, appended after the real one, is named as unkeyed", async () => {
    const forged = forgedChain(undefined, 5);
    const path = logWith("appended.log", [...honest.lines, ...forged.lines], [...honest.checkpoints, forged.checkpoint]);
    const report = await verifyFiles([path], KEY, false);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([expect.objectContaining({ what: "unkeyed", chain: forged.id })]);
  });

  it("an unkeyed chain posing as a continuation (no header, starting at a continue-less seq 1) is not accepted", async () => {
    const forged = forgedChain(undefined, 5, 1);
    const report = await verifyFiles([logWith("headless.log", [...honest.lines, ...forged.lines])], KEY, false);
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.chain)).toContain(forged.id);
  });

  it("the whole log rewritten without the key, checkpoints and all, is named chain by chain", async () => {
    const forged = forgedChain(undefined, 41);
    const report = await verifyFiles([logWith("rewritten.log", forged.lines, [forged.checkpoint])], KEY, false);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([expect.objectContaining({ what: "unkeyed", chain: forged.id })]);
  });

  it("a chain sealed with another key is named as a wrong key, not accepted", async () => {
    const forged = forgedChain("the-attackers-own-key", 3);
    const report = await verifyFiles([logWith("other-key.log", [...honest.lines, ...forged.lines])], KEY, false);
    expect(report.problems).toEqual([expect.objectContaining({ what: "wrong key", chain: forged.id })]);
  });

  it("a checkpoint signed with plain SHA-256 for a cut tail is a forged checkpoint under the key", async () => {
    const cut = honest.lines.slice(0, 15);
    const body = {
      type: "checkpoint" as const,
      chain: honest.chain,
      seq: 14,
      mac: String(recordsIn(logWith("cut.log", cut))[14]?.["mac"]),
    };
    const head = { ...body, time: new Date().toISOString() };
    const sig = logMac(undefined).sign(canonicalJson(checkpointBody(head)));
    const report = await verifyFiles([logWith("cut.log", cut, [JSON.stringify({ ...head, sig })])], KEY, false);
    expect(report.problems).toEqual([expect.objectContaining({ what: "forged checkpoint", chain: honest.chain, seq: 14 })]);
  });
});

describe("attacks on a rotated set", () => {
  it("deleting a middle file and renumbering the older ones to close the gap still breaks the chain", async () => {
    const base = join(folder.dir, "rotated.log");
    const guardian = loggingGuardian(quickstartWithLogging([`file: ${JSON.stringify(base)}`, "max_bytes: 1200", "keep: 20"]), {
      env: { HEXARCH_LOG_KEY: KEY },
    });
    for (let round = 0; round < 5; round += 1) {
      for (let i = 0; i < 3; i += 1) await guardian.check("rate_limit", { client: `r${round}-${i}` });
      await new Promise((done) => setTimeout(done, 120));
    }
    await guardian.close();
    rmSync(`${base}.2`);
    renameSync(`${base}.3`, `${base}.2`);
    renameSync(`${base}.4`, `${base}.3`);
    const report = await verifyFiles([base], KEY);
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual(expect.objectContaining({ what: "deleted" }));
  });
});

describe("a full disk under two writers: every damaged line is named, no whole record is lost", () => {
  it("reads the record another writer appended right after a torn one, and names the torn line", async () => {
    const other = forgedChain(KEY, 4);
    const torn = (honest.lines[20] ?? "").slice(0, 70);
    // Writer A tore record 20; writer B's record landed right after it, on the same line; A wrote record 20 again on a new line.
    const lines = [
      ...honest.lines.slice(0, 20),
      ...other.lines.slice(0, 2),
      torn + other.lines[2],
      ...honest.lines.slice(20),
      other.lines[3] ?? "",
    ];
    const path = logWith("torn.log", lines);
    const report = await verifyStoredLog(logFiles([path], { rotated: false }), KEY);
    expect(report.problems).toEqual([]);
    expect(report.tornWrites).toEqual([`${path}:23`]);
    expect(report.chains.map((c) => c.records).sort((a, b) => a - b)).toEqual([4, 41]);
  });

  it("a torn part of only a few bytes glued to the next record is still read through", async () => {
    const lines = [...honest.lines.slice(0, 5), `{"ch${honest.lines[5] ?? ""}`, ...honest.lines.slice(6)];
    const report = await verifyFiles([logWith("short-tear.log", lines)], KEY, false);
    expect(report).toMatchObject({ ok: true, tornWrites: [expect.stringMatching(/short-tear\.log:6$/)] });
  });

  it("a line that never began as a record is still named as edited, not excused as a torn write", async () => {
    const lines = [...honest.lines.slice(0, 5), `garbage${honest.lines[5] ?? ""}`, ...honest.lines.slice(6)];
    const report = await verifyFiles([logWith("garbage.log", lines)], KEY, false);
    expect(report.problems[0]).toMatchObject({ what: "edited", where: expect.stringMatching(/garbage\.log:6$/) });
  });

  it("a record cut to a torn-looking prefix is not excused: the chain names the record missing", async () => {
    const lines = [...honest.lines.slice(0, 5), (honest.lines[5] ?? "").slice(0, 80), ...honest.lines.slice(6)];
    const report = await verifyFiles([logWith("cut-record.log", lines)], KEY, false);
    expect(report.problems).toEqual([expect.objectContaining({ what: "deleted", seq: 6 })]);
  });
});
