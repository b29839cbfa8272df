// `hexarch validate` calls invalid whatever start-up refuses, in start-up's own words.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createGuardian, PolicyConfigError } from "../../src/index.js";
import { runHexarch, tempProject } from "./run-hexarch.js";

const REDACTED = `policies:
  - id: api
    rules:
      - requests_per_minute: 5
logging:
  file: decisions.log
  redact: [client]
`;

/** The problems createGuardian() refuses the file with, as start-up reports them. */
function startupRefusal(policyFile: string, cwd: string, env: Record<string, string>): PolicyConfigError {
  try {
    createGuardian({ policyFile, cwd, env });
  } catch (error) {
    if (error instanceof PolicyConfigError) return error;
    throw error;
  }
  throw new Error("start-up accepted the file");
}

describe("hexarch validate and start-up", () => {
  it("does not call valid a file with redact: and no HEXARCH_LOG_KEY, which start-up refuses", async () => {
    const project = tempProject();
    try {
      const file = join(project.dir, "hexarch.yaml");
      writeFileSync(file, REDACTED);
      const run = await runHexarch(["validate", "--json"], { cwd: project.dir, env: {} });
      expect(run.code).toBe(1);
      const reported = JSON.parse(run.stdout) as { valid: boolean; problems: { path: string; message: string; fix: string }[] };
      expect(reported.valid).toBe(false);
      const refused = startupRefusal(file, project.dir, {}).problems[0];
      expect(reported.problems.map(({ path, message, fix }) => ({ path, message, fix }))).toEqual([
        { path: refused?.path, message: refused?.message, fix: refused?.fix },
      ]);
      const keyed = await runHexarch(["validate"], { cwd: project.dir, env: { HEXARCH_LOG_KEY: "a-key-long-enough-for-the-log-0123" } });
      expect(keyed.code).toBe(0);
    } finally {
      project.remove();
    }
  });

  it("reports a HEXARCH_REDIS_URL that is not a Redis URL, as start-up does", async () => {
    const project = tempProject(["quickstart.yaml"]);
    try {
      const run = await runHexarch(["validate", "quickstart.yaml"], { cwd: project.dir, env: { HEXARCH_REDIS_URL: "http://cache:6379" } });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("HEXARCH_REDIS_URL");
      expect(run.stderr).toContain("is not a redis:// or rediss:// URL");
    } finally {
      project.remove();
    }
  });
});
