// `hexarch test`: the golden cases for every seed policy pass, a wrong expectation fails clearly, broken files exit 2.
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CASES, ROOT, runHexarch, SEED, tempProject } from "./run-hexarch.js";

let project: ReturnType<typeof tempProject> | undefined;
afterEach(() => project?.remove());

const SEED_NAMES = readdirSync(SEED).map((name) => name.replace(/\.yaml$/, ""));

describe("hexarch test on the golden cases", () => {
  it("has a case file for every seed policy file", () => {
    const caseFiles = readdirSync(CASES).filter((name) => name.endsWith(".test.yaml"));
    expect(caseFiles.map((name) => name.replace(/\.test\.yaml$/, "")).sort()).toEqual([...SEED_NAMES].sort());
  });

  it.each(SEED_NAMES)("passes every case for %s", async (name) => {
    const run = await runHexarch(["test", `tests/fixtures/cases/${name}.test.yaml`], { cwd: ROOT });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    const passes = lines.filter((line) => line.startsWith("  pass  ")).length;
    expect(passes).toBeGreaterThanOrEqual(3);
    expect(lines.at(-1)).toBe(`${passes} passed, 0 failed`);
  });

  it("fails a deliberately wrong expectation, saying where and what differed, and exits 1", async () => {
    const run = await runHexarch(["test", "tests/fixtures/cases/wrong/quickstart_wrong.test.yaml"], { cwd: ROOT });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("  pass  reads are allowed\n");
    expect(run.stdout).toContain(
      [
        "  FAIL  a delete goes straight through (wrong: safe_delete asks for confirmation)",
        "        request 2 (DELETE /users/7) at tests/fixtures/cases/wrong/quickstart_wrong.test.yaml:13:9",
        "        expected outcome allow, got confirm",
        "        expected status 200, got 428",
        "        decision: confirm: Policy 'safe_delete' requires confirmation: Require confirmation for destructive ops",
      ].join("\n"),
    );
    expect(run.stdout.trimEnd().split("\n").at(-1)).toBe("1 passed, 1 failed");
  });

  it("--json reports each case and the totals", async () => {
    const run = await runHexarch(["test", "--json", "tests/fixtures/cases/wrong/quickstart_wrong.test.yaml"], { cwd: ROOT });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({
      passed: 1,
      failed: 1,
      files: [{ file: "tests/fixtures/cases/wrong/quickstart_wrong.test.yaml", policy: "tests/fixtures/seed/quickstart.yaml" }],
    });
    expect(report.cases[1].failure).toContain("expected outcome allow, got confirm");
  });
});

describe("hexarch test finding files", () => {
  it("runs hexarch.test.yaml next to the discovered hexarch.yaml", async () => {
    project = tempProject();
    copyFileSync(join(SEED, "webhook_rate_limit.yaml"), join(project.dir, "hexarch.yaml"));
    const cases = readFileSync(join(CASES, "webhook_rate_limit.test.yaml"), "utf8").replace(
      "policy: ../seed/webhook_rate_limit.yaml\n",
      "",
    );
    writeFileSync(join(project.dir, "hexarch.test.yaml"), cases);
    const run = await runHexarch(["test"], { cwd: project.dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^hexarch\.test\.yaml\n/);
    expect(run.stdout).toMatch(/\n3 passed, 0 failed\n$/);
  });

  it("--file tests the same cases against another policy file, and reports what changed", async () => {
    project = tempProject(["quickstart.yaml"]);
    const stricter = readFileSync(join(SEED, "quickstart.yaml"), "utf8").replace("requests_per_minute: 100", "requests_per_minute: 50");
    writeFileSync(join(project.dir, "next.yaml"), stricter);
    const run = await runHexarch(["test", join(CASES, "quickstart.test.yaml"), "--file", "next.yaml"], { cwd: project.dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("FAIL  the 101st request in a minute from one client is refused; another client is not");
    expect(run.stdout).toContain("call 51 of 100");
    expect(run.stdout).toMatch(/\n4 passed, 1 failed\n$/);
  });

  it("presets starting state in the case's environment, so environment-scoped counters can be set", async () => {
    project = tempProject();
    writeFileSync(
      join(project.dir, "hexarch.yaml"),
      "policies:\n  - id: prod_limit\n    rules:\n      - environments: [production]\n        requests_per_minute: 3\n",
    );
    const cases = [
      "cases:",
      '  - name: "three already counted in production"',
      '    at: "2026-11-27T16:30:00Z"',
      "    env: production",
      "    state: [{ policy: prod_limit, used: 3 }]",
      "    requests:",
      "      - { method: GET, path: /, expect: { outcome: limit, status: 429 } }",
      "      - { method: GET, path: /, env: staging, expect: allow }",
    ];
    writeFileSync(join(project.dir, "hexarch.test.yaml"), `${cases.join("\n")}\n`);
    const run = await runHexarch(["test"], { cwd: project.dir });
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/\n1 passed, 0 failed\n$/);
  });

  it("exits 2 when there is no case file to run", async () => {
    project = tempProject(["quickstart.yaml"]);
    const run = await runHexarch(["test", "--file", "quickstart.yaml"], { cwd: project.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("no case files: looked for quickstart.test.yaml and quickstart.test.yml");
  });

  it("exits 1 with the policy file's problems when the policy file is invalid", async () => {
    project = tempProject();
    writeFileSync(join(project.dir, "hexarch.yaml"), "policies:\n  - id: x\n    rules:\n      - requests_per_minit: 3\n");
    writeFileSync(
      join(project.dir, "hexarch.test.yaml"),
      'cases:\n  - name: n\n    at: "2026-11-27T16:30:00Z"\n    requests: [{ expect: allow }]\n',
    );
    const run = await runHexarch(["test"], { cwd: project.dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('hexarch.yaml:4:9 [policy x] policies[0].rules[0].requests_per_minit: unknown key "requests_per_minit"');
  });
});

describe("hexarch test on broken case files", () => {
  it("reports every schema problem with file:line:column and a fix, runs nothing and exits 2", async () => {
    const run = await runHexarch(["test", "tests/fixtures/cases/broken/typos.test.yaml"], { cwd: ROOT });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    const file = "tests/fixtures/cases/broken/typos.test.yaml";
    expect(run.stderr).toContain(`${file}:5:9 cases[0].at: "2026-11-27 16:30" is not valid here: write a date and time with an offset`);
    expect(run.stderr).toContain(`${file}:7:11 cases[0].requests[0].methd: unknown key "methd"\n    fix: did you mean "method"?`);
    expect(run.stderr).toContain(
      `${file}:8:48 cases[0].requests[1].expect: expected one of "allow", "warn", "confirm", "limit", "deny", "error", got "alow"`,
    );
    expect(run.stderr).toContain("3 problems: the case file cannot be run; no case ran");
  });

  it("locates YAML syntax errors", async () => {
    const run = await runHexarch(["test", "tests/fixtures/cases/broken/syntax.test.yaml"], { cwd: ROOT });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("tests/fixtures/cases/broken/syntax.test.yaml:6:1 YAML syntax error: a closing character is missing");
  });

  it("refuses starting state that names no counter, listing the counters there are", async () => {
    const run = await runHexarch(["test", "tests/fixtures/cases/broken/bad_state.test.yaml"], { cwd: ROOT });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('bad_state.test.yaml:6:9 cases[0].state[0]: policy "safe_delete" has no counter');
    expect(run.stderr).toContain(
      'bad_state.test.yaml:7:9 cases[0].state[1]: policy "api_budget" has no counter with window 1m\n    fix: its counters: rule: 0, window: month',
    );
  });

  it("does not run a case whose cost or starting spend no budget can count", async () => {
    const run = await runHexarch(["test", "tests/fixtures/cases/broken/amounts.test.yaml"], { cwd: ROOT });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("amounts.test.yaml:6:37 cases[0].state[0].used: used must be at most 1000000000, got 1e+303");
    expect(run.stderr).toContain("amounts.test.yaml:8:62 cases[0].requests[0].cost: cost must be at most 1000000000, got 1e+303");
  });

  it("names unknown policy ids with a suggestion", async () => {
    project = tempProject(["quickstart.yaml"]);
    writeFileSync(
      join(project.dir, "c.yaml"),
      'policy: quickstart.yaml\ncases:\n  - name: n\n    at: "2026-11-27T16:30:00Z"\n    requests:\n      - { policy: safe_delet, expect: confirm }\n',
    );
    const run = await runHexarch(["test", "c.yaml"], { cwd: project.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'c.yaml:6:19 cases[0].requests[0].policy: no policy "safe_delet" in quickstart.yaml\n    fix: did you mean "safe_delete"?',
    );
  });

  it("reports a missing case file", async () => {
    project = tempProject();
    const run = await runHexarch(["test", "nope.test.yaml"], { cwd: project.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("nope.test.yaml case file not found");
  });
});
