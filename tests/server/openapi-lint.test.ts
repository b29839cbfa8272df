// The served /openapi.json passes Redocly's linter with its recommended rules: no errors, and only the warnings named here.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./serve-support.js";

const REDOCLY = createRequire(import.meta.url).resolve("@redocly/cli/bin/cli.js");

interface LintReport {
  readonly totals: { readonly errors: number; readonly warnings: number };
  readonly problems: readonly { readonly ruleId: string; readonly severity: string; readonly location: readonly { pointer: string }[] }[];
}

let t: TestServer;
let folder: string;

beforeAll(async () => {
  t = await startTestServer();
  folder = mkdtempSync(join(tmpdir(), "hexarch-openapi-lint-"));
});
afterAll(async () => {
  await t.stop();
  rmSync(folder, { recursive: true, force: true });
});

describe("the OpenAPI document under redocly lint (recommended rules)", () => {
  it("reports no errors; its only warnings are the two public routes that cannot answer a 4xx", async () => {
    const served = await t.get("/openapi.json");
    writeFileSync(join(folder, "openapi.json"), JSON.stringify(served.body));
    // Run in an empty folder, so no redocly.yaml changes the rules; no telemetry or update check leaves the machine.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [REDOCLY, "lint", "--extends", "recommended", "--format", "json", "openapi.json"],
      { cwd: folder, env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", CI: "true" } },
    ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }));
    const report = JSON.parse(stdout) as LintReport;
    expect(report.problems.filter((p) => p.severity === "error")).toEqual([]);
    expect(report.totals.errors).toBe(0);
    expect(report.problems.map((p) => `${p.ruleId} ${p.location[0]?.pointer ?? ""}`).sort()).toEqual([
      "operation-4xx-response #/paths/~1health/get/responses",
      "operation-4xx-response #/paths/~1openapi.json/get/responses",
    ]);
  }, 60_000);
});
