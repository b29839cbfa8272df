// A log file that cannot be written: decisions go on, one warning per outage, a gap record on recovery; with required, calls are refused.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Logger } from "../../../src/index.js";
import { LOG_UNAVAILABLE } from "../../../src/log/decision-log.js";
import { loggingGuardian, quickstartWithLogging, recordsIn, tempFolder, verifyFiles } from "./log-support.js";

let folder: ReturnType<typeof tempFolder>;
beforeEach(() => {
  folder = tempFolder();
});
afterEach(() => folder.remove());

/** A logger that keeps the codes of what it was given. */
function recordingLogger(): Logger & { codes: (level: string) => unknown[] } {
  const seen: { level: string; code: unknown }[] = [];
  const keep = (level: string) => (object: Record<string, unknown>) => void seen.push({ level, code: object["code"] });
  return {
    info: keep("info"),
    warn: keep("warn"),
    error: keep("error"),
    codes: (level) => seen.filter((s) => s.level === level).map((s) => s.code),
  };
}

describe("decision log: a file that cannot be written", () => {
  it("keeps deciding, warns once, and writes a gap record counting the lost records once the folder is writable", async () => {
    const blocker = join(folder.dir, "logs");
    writeFileSync(blocker, "a file where the log folder should be");
    const file = join(blocker, "guardrails.log");
    const logger = recordingLogger();
    const guardian = loggingGuardian(quickstartWithLogging([`file: ${JSON.stringify(file)}`, "buffer: 5"]), { logger });
    for (let i = 0; i < 3; i += 1) expect((await guardian.check("rate_limit", { client: "a" })).outcome).toBe("allow");
    await sleep(700);
    for (let i = 0; i < 17; i += 1) expect((await guardian.check("rate_limit", { client: "a" })).outcome).toBe("allow");
    await sleep(700);
    expect(logger.codes("error")).toEqual([LOG_UNAVAILABLE]);
    rmSync(blocker);
    mkdirSync(blocker);
    await sleep(700);
    await guardian.close();
    const records = recordsIn(file);
    expect(records.map((r) => r["type"])).toEqual(["header", "gap", "decision", "decision", "decision", "decision", "decision"]);
    expect(records[1]).toMatchObject({ lost: 15, cause: expect.stringMatching(/EEXIST|ENOTDIR/) });
    const report = await verifyFiles([file]);
    expect(report.ok).toBe(true);
    expect(report.chains[0]?.gaps).toEqual([expect.objectContaining({ lost: 15 })]);
  });

  it("with logging.required, refuses calls with outcome error once the disk is full", async () => {
    const guardian = loggingGuardian(quickstartWithLogging(['file: "/dev/full"', "required: true"]), { logger: recordingLogger() });
    expect((await guardian.check("rate_limit", { client: "a" })).outcome).toBe("allow");
    await sleep(300);
    const refused = await guardian.check("rate_limit", { client: "a" });
    expect(refused).toMatchObject({
      outcome: "error",
      retryAfter: 5,
      reason: expect.stringMatching(/decision log \(file \/dev\/full\) cannot be written/),
    });
    await expect(guardian.protect("rate_limit", () => "ran")()).rejects.toMatchObject({ code: "HEXARCH_ERROR" });
    await guardian.close();
  });
});
