// Helpers for decision-log tests: a temporary folder, a policy with a logging section, reading and verifying what was written.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGuardian, type Guardian, type GuardianOptions } from "../../../src/index.js";
import { logFiles } from "../../../src/log/read.js";
import { verifyStoredLog, type VerifyReport } from "../../../src/log/verify.js";

/** The Quick Start policies, with `logging:` lines appended (indented two spaces each). */
export function quickstartWithLogging(logging: readonly string[]): string {
  return [
    "policies:",
    '  - id: "api_budget"',
    "    rules:",
    '      - resource: "openai"',
    "        monthly_budget: 10",
    '        action: "warn_at_80%"',
    '  - id: "rate_limit"',
    "    rules:",
    '      - resource: "*"',
    "        requests_per_minute: 100",
    '        action: "block"',
    '  - id: "safe_delete"',
    "    rules:",
    '      - operation: "delete"',
    '        action: "require_confirmation"',
    "logging:",
    ...logging.map((line) => `  ${line}`),
  ].join("\n");
}

/** A temporary folder removed by `remove()`. */
export function tempFolder(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "hexarch-log-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A guardian over inline YAML with no ambient environment. */
export function loggingGuardian(yaml: string, options: GuardianOptions = {}): Guardian {
  return createGuardian({ policyText: yaml, env: {}, ...options });
}

/** The parsed records of a log file. */
export function recordsIn(path: string): Record<string, unknown>[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Verifies log files (one name brings its rotated siblings unless `rotated` is false). */
export function verifyFiles(files: readonly string[], key?: string, rotated = true): Promise<VerifyReport> {
  return verifyStoredLog(logFiles(files, { rotated }), key);
}
