// The witness: chain heads kept where the log's writer cannot rewrite them, so a cut tail, a deleted chain or an emptied log shows.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkpointPath } from "../../../src/log/file-sink.js";
import { logFiles } from "../../../src/log/read.js";
import { verifyStoredLog, type VerifyReport } from "../../../src/log/verify.js";
import { Chain } from "../../../src/log/chain.js";
import { logMac } from "../../../src/log/mac.js";
import { SILENT_LOGGER } from "../../../src/errors/warnings.js";
import { Witness, type WitnessStore } from "../../../src/log/witness.js";
import { openWitnessStore } from "../../../src/log/witness-stores.js";
import { startHttpWitness, type TestWitness } from "../../support/http-witness.js";
import { loggingGuardian, quickstartWithLogging, tempFolder } from "./log-support.js";

const KEY = "witness-test-key-0123456789abcdef";
let folder: ReturnType<typeof tempFolder>;
let witness: TestWitness;
beforeEach(async () => {
  folder = tempFolder();
  witness = await startHttpWitness();
});
afterEach(async () => {
  await witness.close();
  folder.remove();
});

/** Writes `decisions` decisions to `file` with a checkpoint (and a head to the witness) every 10 records. */
async function witnessedLog(file: string, decisions: number): Promise<void> {
  const lines = [`file: ${JSON.stringify(file)}`, "checkpoint_every: 10", `witness: ${JSON.stringify(witness.url)}`];
  const guardian = loggingGuardian(quickstartWithLogging(lines), { env: { HEXARCH_LOG_KEY: KEY } });
  for (let i = 0; i < decisions; i += 1) await guardian.check("rate_limit", { client: `c${i}` });
  await guardian.close();
}

/** Verifies `file` with the key, against the heads the witness holds for it. */
async function verifyWithWitness(file: string): Promise<VerifyReport> {
  const store = openWitnessStore(witness.url, { file: "<test>", path: "witness" }, process.cwd());
  const heads = await store.heads(`file:${file}`);
  await store.close();
  return verifyStoredLog(logFiles([file]), KEY, heads);
}

/** Keeps the first `records` lines of the log and only the checkpoints of seqs before them: the cut an attacker on the host makes. */
function cutWithCheckpoints(file: string, records: number): void {
  writeFileSync(file, `${readFileSync(file, "utf8").split("\n").slice(0, records).join("\n")}\n`);
  const kept = readFileSync(checkpointPath(file), "utf8")
    .split("\n")
    .filter((line) => line !== "" && (JSON.parse(line) as { seq: number }).seq < records);
  writeFileSync(checkpointPath(file), kept.map((line) => `${line}\n`).join(""));
}

describe("decision log: a witness", () => {
  it("cutting the end of the log together with its checkpoints does not verify as intact when a witness holds a later head", async () => {
    const file = join(folder.dir, "guardrails.log");
    await witnessedLog(file, 30);
    expect((await verifyWithWitness(file)).problems).toEqual([]);
    cutWithCheckpoints(file, 16);
    const report = await verifyWithWitness(file);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      expect.objectContaining({ what: "truncated", seq: 15, detail: expect.stringMatching(/the witness holds its head at seq 30/) }),
    ]);
  });

  it("an emptied log, or one whose chain was deleted with its checkpoints, fails against the witness instead of holding no records", async () => {
    const file = join(folder.dir, "guardrails.log");
    await witnessedLog(file, 12);
    writeFileSync(file, "");
    writeFileSync(checkpointPath(file), "");
    const report = await verifyWithWitness(file);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      expect.objectContaining({ what: "deleted", detail: expect.stringMatching(/the witness holds a head of this chain/) }),
    ]);
  });

  it("a witness that is down never delays a decision, and verify names the heads it missed", async () => {
    const file = join(folder.dir, "guardrails.log");
    const lines = [`file: ${JSON.stringify(file)}`, "checkpoint_every: 10", `witness: ${JSON.stringify(witness.url)}`];
    const guardian = loggingGuardian(quickstartWithLogging(lines), { env: { HEXARCH_LOG_KEY: KEY } });
    for (let i = 0; i < 12; i += 1) await guardian.check("rate_limit", { client: `c${i}` });
    await sleep(250);
    witness.down = true;
    const started = performance.now();
    for (let i = 0; i < 40; i += 1) expect((await guardian.check("rate_limit", { client: `d${i}` })).outcome).toBe("allow");
    expect(performance.now() - started).toBeLessThan(500);
    await sleep(250);
    await guardian.close();
    witness.down = false;
    const report = await verifyWithWitness(file);
    expect(report).toMatchObject({ ok: true, problems: [] });
    expect(report.notes).toEqual([expect.stringMatching(/the witness's latest head is seq 10, the log's checkpoints reach seq 5\d/)]);
  });

  it("keeps one head per chain while the witness is down, however many come, and sends the latest once it is back", async () => {
    const sent: number[] = [];
    let up = false;
    const store: WitnessStore = {
      name: "test witness",
      put: async (_log, head) => {
        if (!up) throw new Error("connection refused");
        sent.push(head.seq);
      },
      heads: async () => [],
      close: async () => undefined,
    };
    const quiet = { ...SILENT_LOGGER, warn() {} };
    const witness = new Witness(store, "log", quiet);
    const chain = new Chain(logMac(KEY), { instance: "w", policyFile: "x", policyDigest: "x" });
    for (let seq = 1; seq <= 500; seq += 1) witness.send(chain.checkpoint(Date.now(), seq, "a".repeat(64)));
    expect(witness.waiting).toBe(1);
    up = true;
    await witness.close();
    expect(sent).toEqual([500]);
    expect(witness.waiting).toBe(0);
  });
});
