// A rotated set read whole: a file missing from the middle, and the files after it, are never skipped in silence.
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loggingGuardian, quickstartWithLogging, tempFolder, verifyFiles } from "./log-support.js";

let folder: ReturnType<typeof tempFolder>;
beforeEach(() => {
  folder = tempFolder();
});
afterEach(() => folder.remove());

/** Writes a log rotated into at least `files` rotated files, one batch a round. */
async function rotatedLog(file: string, files: number): Promise<void> {
  const guardian = loggingGuardian(quickstartWithLogging([`file: ${JSON.stringify(file)}`, "max_bytes: 1500", "keep: 20"]));
  for (let round = 0; !existsSync(`${file}.${files}`); round += 1) {
    for (let i = 0; i < 3; i += 1) await guardian.check("rate_limit", { client: `c${round}-${i}` });
    await sleep(120);
  }
  await guardian.close();
}

describe("decision log: a rotated set", () => {
  it("does not verify as intact when a middle rotated file was deleted, and names each missing file", async () => {
    const file = join(folder.dir, "guardrails.log");
    await rotatedLog(file, 5);
    rmSync(`${file}.2`);
    rmSync(`${file}.4`);
    const report = await verifyFiles([file]);
    expect(report.ok).toBe(false);
    const missing = report.problems.filter((p) => p.what === "missing file").map((p) => p.where);
    expect(missing).toEqual([`${file}.4`, `${file}.2`]);
    // The files after the first gap are read too: the chain's own breaks are named as well, one per gap.
    const gaps = report.problems.filter((p) => p.what === "deleted").map((p) => p.where);
    expect(gaps).toEqual([expect.stringMatching(/guardrails\.log\.3:1$/), expect.stringMatching(/guardrails\.log\.1:1$/)]);
  });
});
