// `hexarch validate`: every problem at once with file:line:column, key path and fix; exit 0 valid, 1 invalid.
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ROOT, runHexarch, tempProject } from "./run-hexarch.js";

const BROKEN = join(ROOT, "tests/fixtures/broken");
let project: ReturnType<typeof tempProject> | undefined;
afterEach(() => project?.remove());

describe("hexarch validate", () => {
  it("finds hexarch.yaml in a parent folder and says it is valid", async () => {
    project = tempProject(["quickstart.yaml"]);
    copyFileSync(join(project.dir, "quickstart.yaml"), join(project.dir, "hexarch.yaml"));
    mkdirSync(join(project.dir, "src"));
    const run = await runHexarch(["validate"], { cwd: join(project.dir, "src") });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^valid .*hexarch\.yaml: 3 policies, 3 rules\n$/);
  });

  it("reports every problem, located, with its key path and fix, and exits 1", async () => {
    project = tempProject();
    copyFileSync(join(BROKEN, "many_problems.yaml"), join(project.dir, "hexarch.yaml"));
    const run = await runHexarch(["validate", "hexarch.yaml"], { cwd: project.dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain('hexarch.yaml:2:1 enforcment: unknown key "enforcment"\n    fix: did you mean "enforcement"?');
    expect(run.stderr).toContain('hexarch.yaml:8:17 [policy budget] policies[0].rules[0].action: unknown action "blok"');
    expect(run.stderr).toContain('hexarch.yaml:14:19 [policy hours] policies[1].rules[0].timezone: unknown time zone "Europe/Berln"');
    expect(run.stderr).toMatch(/\n7 problems: the policy file cannot be used\n$/);
  });

  it("--json prints the problems as data on stdout", async () => {
    project = tempProject();
    copyFileSync(join(BROKEN, "typo_key.yaml"), join(project.dir, "typo.yaml"));
    const run = await runHexarch(["validate", "typo.yaml", "--json"], { cwd: project.dir });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({
      valid: false,
      file: "typo.yaml",
      problems: [
        {
          file: "typo.yaml",
          line: 10,
          column: 9,
          policyId: "rate_limit",
          path: "policies[1].rules[0].requests_per_minite",
          message: 'unknown key "requests_per_minite"',
          fix: 'did you mean "requests_per_minute"?',
        },
      ],
    });
  });

  it("notes the unused opa: section on stderr without failing", async () => {
    project = tempProject(["full_template.yaml"]);
    const run = await runHexarch(["validate", "full_template.yaml", "--json"], { cwd: project.dir });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ valid: true, policies: 8, rules: 9, problems: [] });
    expect(JSON.parse(run.stdout).notices[0]).toContain("the opa: section is accepted but unused");
  });

  it("exits 1 naming every folder searched when there is no policy file", async () => {
    project = tempProject();
    const run = await runHexarch(["validate"], { cwd: project.dir, env: { HOME: project.dir } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("no hexarch.yaml or hexarch.yml found; searched:");
    expect(run.stderr).toContain(project.dir);
    expect(run.stderr).toContain("npx hexarch-guardrails init");
  });

  it("uses HEXARCH_POLICY_FILE when no file is given", async () => {
    project = tempProject(["webhook_rate_limit.yaml"]);
    const run = await runHexarch(["validate"], { cwd: project.dir, env: { HEXARCH_POLICY_FILE: "webhook_rate_limit.yaml" } });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("valid webhook_rate_limit.yaml: 1 policy, 1 rule");
  });
});
