// The file sink end to end: a guardian with `logging:` writes one chained record per decision, and the log verifies.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MemoryStore } from "../../../src/index.js";
import { withRotated } from "../../../src/log/read.js";
import { loggingGuardian, quickstartWithLogging, recordsIn, tempFolder, verifyFiles } from "./log-support.js";

let folder: ReturnType<typeof tempFolder>;
beforeEach(() => {
  folder = tempFolder();
});
afterEach(() => folder.remove());

describe("decision log: file sink", () => {
  it("writes a header and one record per decision, chained, that verify accepts", async () => {
    const file = join(folder.dir, "guardrails.log");
    const guardian = loggingGuardian(quickstartWithLogging(["enabled: true", `file: ${JSON.stringify(file)}`]));
    await guardian.check("rate_limit", { client: "203.0.113.9", route: "/users", method: "GET" });
    await guardian.check("safe_delete", { operation: "delete", route: "/users/7", apiKey: "sk-secret-123", user: "alice" });
    await guardian.close();
    const records = recordsIn(file);
    expect(records.map((r) => r["type"])).toEqual(["header", "decision", "decision"]);
    expect(records.map((r) => r["seq"])).toEqual([0, 1, 2]);
    expect(records[0]).toMatchObject({ mac_alg: "sha256", pid: process.pid, policy_file: "<policyText>" });
    expect(records[2]).toMatchObject({
      outcome: "confirm",
      policy: "safe_delete",
      kind: "confirm",
      rule: { policy: "safe_delete", index: 0, at: "<policyText>:14:9" },
      context: { operation: "delete", route: "/users/7", user: "alice", environment: "development" },
    });
    expect(readFileSync(file, "utf8")).not.toContain("sk-secret-123");
    const report = await verifyFiles([file]);
    expect(report).toMatchObject({ ok: true, problems: [], tornTails: [] });
    expect(report.chains).toEqual([expect.objectContaining({ records: 3, lastSeq: 2, checkpoints: 1, broken: false })]);
  });

  it("writes only refusals and warnings at level warn, and adds explanations at level debug", async () => {
    const warnFile = join(folder.dir, "warn.log");
    const quiet = loggingGuardian(quickstartWithLogging(["level: warn", `file: ${JSON.stringify(warnFile)}`]));
    await quiet.check("rate_limit", { client: "a" });
    await quiet.check("safe_delete", { operation: "delete" });
    await quiet.close();
    expect(recordsIn(warnFile).map((r) => r["outcome"] ?? r["type"])).toEqual(["header", "confirm"]);

    const debugFile = join(folder.dir, "debug.log");
    const chatty = loggingGuardian(quickstartWithLogging(["level: debug", `file: ${JSON.stringify(debugFile)}`]));
    await chatty.check("rate_limit", { client: "a" });
    await chatty.close();
    expect(recordsIn(debugFile)[1]?.["explain"]).toContainEqual({
      policy: "rate_limit",
      rule: 0,
      applied: true,
      why: "applied; within its limits",
    });
  });

  it("hashes redacted fields with the key, so equal values stay equal and the raw values never appear", async () => {
    const file = join(folder.dir, "redacted.log");
    const guardian = loggingGuardian(quickstartWithLogging([`file: ${JSON.stringify(file)}`, "redact: [client, user]"]), {
      env: { HEXARCH_LOG_KEY: "k".repeat(32) },
    });
    await guardian.check("rate_limit", { client: "203.0.113.9", user: "alice" });
    await guardian.check("rate_limit", { client: "203.0.113.9", user: "bob" });
    await guardian.close();
    const text = readFileSync(file, "utf8");
    for (const raw of ["203.0.113.9", "alice", "bob"]) expect(text).not.toContain(raw);
    const [, first, second] = recordsIn(file) as { context: { client: string; user: string } }[];
    expect(first?.context.client).toMatch(/^h:[0-9a-f]{32}$/);
    expect(first?.context.client).toBe(second?.context.client);
    expect(first?.context.user).not.toBe(second?.context.user);
    expect((await verifyFiles([file], "k".repeat(32))).ok).toBe(true);
  });

  it("records a settlement referencing its decision's id", async () => {
    const file = join(folder.dir, "settle.log");
    const guardian = loggingGuardian(quickstartWithLogging([`file: ${JSON.stringify(file)}`]), { store: new MemoryStore() });
    const call = guardian.protect("api_budget", async () => ({ tokens: 3 }), {
      context: { resource: "openai" },
      cost: 1,
      settle: () => 0.25,
    });
    await call();
    await guardian.close();
    const [, decision, settle] = recordsIn(file);
    expect(settle).toMatchObject({ type: "settle", id: decision?.["id"], policy: "api_budget", cost: 0.25 });
    expect((await verifyFiles([file])).ok).toBe(true);
  });

  it("rotates by size and continues the chain across files", async () => {
    const file = join(folder.dir, "rotating.log");
    const guardian = loggingGuardian(quickstartWithLogging([`file: ${JSON.stringify(file)}`, "max_bytes: 2000", "keep: 10"]));
    for (let round = 0; round < 6; round += 1) {
      for (let i = 0; i < 5; i += 1) await guardian.check("rate_limit", { client: `c${i}` });
      await new Promise((done) => setTimeout(done, 150));
    }
    await guardian.close();
    expect(existsSync(`${file}.2`)).toBe(true);
    const all = await verifyFiles([file]);
    expect(all).toMatchObject({ ok: true, problems: [] });
    expect(all.chains).toEqual([expect.objectContaining({ continued: false, broken: false })]);
    const decisions = withRotated(file)
      .flatMap(recordsIn)
      .filter((r) => r["type"] === "decision");
    expect(decisions).toHaveLength(30);
    const newestAlone = await verifyFiles([file], undefined, false);
    expect(newestAlone).toMatchObject({ ok: true, chains: [expect.objectContaining({ continued: true })] });
  });
});
