// The logging: section of hexarch.yaml: the seed's template loads and logs, every bad key is located with a fix, records match the shipped
// schema.
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createGuardian, MemoryStore, PolicyConfigError } from "../../../src/index.js";
import { withRotated } from "../../../src/log/read.js";
import { LogRecordSchema, logRecordJsonSchema } from "../../../src/log/record-schema.js";
import { problemsOf } from "../config/problems-of.js";
import { loggingGuardian, quickstartWithLogging, recordsIn, tempFolder, verifyFiles } from "./log-support.js";

const ROOT = join(import.meta.dirname, "../../..");
const TEMPLATE = join(ROOT, "tests/fixtures/seed/full_template.yaml");

let folder: ReturnType<typeof tempFolder>;
beforeEach(() => {
  folder = tempFolder();
});
afterEach(() => folder.remove());

describe("logging: section", () => {
  it("lets the seed's six-policy template load unchanged and, with enabled: true, log next to the policy file", async () => {
    const policyFile = join(folder.dir, "hexarch.yaml");
    copyFileSync(TEMPLATE, policyFile);
    const off = createGuardian({ policyFile, store: new MemoryStore(), env: {} });
    await off.check("api_rate_limits", { route: "/api/items", method: "GET", user: "alice" });
    await off.close();
    writeFileSync(policyFile, readFileSync(TEMPLATE, "utf8").replace("enabled: false # true writes", "enabled: true # true writes"));
    const on = createGuardian({ policyFile, store: new MemoryStore(), env: {}, cwd: ROOT });
    await on.check("api_rate_limits", { route: "/api/items", method: "GET", user: "alice" });
    await on.close();
    const log = join(folder.dir, ".hexarch/guardrails.log");
    expect(recordsIn(log).map((r) => r["type"])).toEqual(["header", "decision"]);
    expect((await verifyFiles([log])).ok).toBe(true);
  });

  it("locates every bad logging key with a fix", () => {
    const problems = problemsOf(
      quickstartWithLogging(["level: infoo", "max_byte: 10", "keep: 3", 'postgres_url: "mysql://db/app"', "redact: [email]"]),
    );
    const at = (path: string) => problems.find((p) => p.path === path);
    expect(at("logging.level")).toMatchObject({ line: 17, column: 10, fix: expect.stringMatching(/did you mean "info"/) });
    expect(at("logging.max_byte")).toMatchObject({
      line: 18,
      column: 3,
      message: 'unknown key "max_byte"',
      fix: expect.stringMatching(/max_bytes/),
    });
    expect(at("logging.redact[0]")).toMatchObject({ line: 21, message: expect.stringMatching(/"client", "user", "route"/) });
    const semantic = problemsOf(quickstartWithLogging(["keep: 3", 'postgres_url: "mysql://db/app"']));
    expect(semantic).toEqual([
      expect.objectContaining({ path: "logging.keep", line: 17, column: 9, fix: expect.stringMatching(/add max_bytes/) }),
      expect.objectContaining({
        path: "logging.postgres_url",
        line: 18,
        message: '"mysql://db/app" is not a postgres:// or postgresql:// URL',
        fix: expect.stringMatching(/postgres:\/\//),
      }),
    ]);
  });

  it("locates a witness URL of the wrong kind, and a name with no witness to be named at", () => {
    expect(problemsOf(quickstartWithLogging(['witness: "ftp://audit/heads"']))).toEqual([
      expect.objectContaining({
        path: "logging.witness",
        line: 17,
        message: expect.stringMatching(/not a postgres:\/\/ or .* https:\/\/ URL/),
      }),
    ]);
    expect(problemsOf(quickstartWithLogging(["name: billing-api"]))).toEqual([
      expect.objectContaining({ path: "logging.name", line: 17, fix: expect.stringMatching(/add witness:/) }),
    ]);
  });

  it("refuses redact: without HEXARCH_LOG_KEY, naming the key's place and how to set one", () => {
    const build = () => loggingGuardian(quickstartWithLogging([`file: ${JSON.stringify(join(folder.dir, "x.log"))}`, "redact: [client]"]));
    expect(build).toThrow(PolicyConfigError);
    try {
      build();
    } catch (error) {
      expect((error as PolicyConfigError).problems[0]).toMatchObject({
        path: "logging.redact",
        line: 18,
        fix: expect.stringMatching(/HEXARCH_LOG_KEY/),
      });
    }
  });

  it("writes records that match the shipped hexarch.log.schema.json", async () => {
    const file = join(folder.dir, "schema.log");
    const guardian = loggingGuardian(quickstartWithLogging([`file: ${JSON.stringify(file)}`, "level: debug", "max_bytes: 500", "keep: 3"]));
    const call = guardian.protect("api_budget", async () => "ok", {
      context: { resource: "openai", facts: { ticket: "OPS-1" } },
      cost: 1,
      settle: () => 0.5,
    });
    await call();
    await new Promise((done) => setTimeout(done, 150));
    await guardian.check("safe_delete", { operation: ["delete"], confirm: ["safe_delete"], roles: ["admin"], apiKey: "sk-live-1" });
    await guardian.close();
    const records = withRotated(file).flatMap(recordsIn);
    expect(new Set(records.map((r) => r["type"]))).toEqual(new Set(["header", "decision", "settle", "continue"]));
    for (const record of records) expect(LogRecordSchema.safeParse(record).error).toBeUndefined();
    expect(readFileSync(join(ROOT, "hexarch.log.schema.json"), "utf8")).toBe(`${JSON.stringify(logRecordJsonSchema(), null, 2)}\n`);
  });
});
