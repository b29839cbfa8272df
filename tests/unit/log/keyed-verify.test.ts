// A keyed verify accepts only chains MACed with HEXARCH_LOG_KEY: a plain SHA-256 chain, which anyone can compute, is named.
import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loggingGuardian, quickstartWithLogging, recordsIn, tempFolder, verifyFiles } from "./log-support.js";

const KEY = "keyed-verify-key-0123456789abcdef";
let folder: ReturnType<typeof tempFolder>;
beforeEach(() => {
  folder = tempFolder();
});
afterEach(() => folder.remove());

/** Writes `decisions` decisions into `file`, with `key` or without one. */
async function writeLog(file: string, key: string | undefined, decisions: number): Promise<void> {
  const guardian = loggingGuardian(quickstartWithLogging([`file: ${JSON.stringify(file)}`]), {
    env: key === undefined ? {} : { HEXARCH_LOG_KEY: key },
  });
  for (let i = 0; i < decisions; i += 1) await guardian.check("rate_limit", { client: `c${i}` });
  await guardian.close();
}

describe("decision log: a keyed verify", () => {
  it("does not accept a plain SHA-256 chain appended to an HMAC log", async () => {
    const file = join(folder.dir, "keyed.log");
    const forged = join(folder.dir, "forged.log");
    await writeLog(file, KEY, 3);
    await writeLog(forged, undefined, 2);
    appendFileSync(file, readFileSync(forged, "utf8"));
    const forgedChain = recordsIn(forged)[0]?.["chain"];
    const report = await verifyFiles([file], KEY);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      expect.objectContaining({ chain: forgedChain, what: "unkeyed", where: expect.stringMatching(/keyed\.log:5$/) }),
    ]);
    expect(report.chains.find((c) => c.chain === forgedChain)?.broken).toBe(true);
  });
});
