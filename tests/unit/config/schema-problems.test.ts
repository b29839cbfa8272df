// Tests that schema violations come back as located problems with a path, policy id and a concrete fix.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it, expect } from "vitest";
import { loadPolicyFile } from "../../../src/engine/config/load.js";
import { PolicyConfigError, type ConfigProblem } from "../../../src/errors/config-error.js";
import { problemsOf } from "./problems-of.js";

const BROKEN = join(import.meta.dirname, "../../fixtures/broken");

/** The one problem at `path` (fails the test when there is not exactly one). */
function problemAt(problems: readonly ConfigProblem[], path: string): ConfigProblem {
  const found = problems.filter((p) => p.path === path);
  expect(found, `problems at ${path}: ${JSON.stringify(problems, null, 1)}`).toHaveLength(1);
  return found[0] as ConfigProblem;
}

/** A policy file with one policy "p" holding one rule made of the given YAML lines (8-space indented). */
function ruleFile(...ruleLines: string[]): string {
  const [first, ...rest] = ruleLines;
  return ["policies:", "  - id: p", "    rules:", `      - ${first}`, ...rest.map((l) => `        ${l}`)].join("\n") + "\n";
}

describe("schema problems", () => {
  it("reports an unknown key at the key itself, with the nearest valid key of that object", () => {
    try {
      loadPolicyFile(join(BROKEN, "typo_key.yaml"));
      expect.unreachable();
    } catch (error) {
      const problem = problemAt((error as PolicyConfigError).problems, "policies[1].rules[0].requests_per_minite");
      expect(problem).toMatchObject({
        file: join(BROKEN, "typo_key.yaml"),
        line: 10,
        column: 9,
        policyId: "rate_limit",
        message: 'unknown key "requests_per_minite"',
        fix: 'did you mean "requests_per_minute"?',
      });
    }
  });

  it("suggests keys of the object the unknown key is in, not of other objects", () => {
    const problems = problemsOf("policies:\n  - id: p\n    enforcment: warn\n    rules: [{ operation: delete }]\n");
    expect(problemAt(problems, "policies[0].enforcment")).toMatchObject({ line: 3, column: 5, fix: 'did you mean "enforcement"?' });
    const top = problemsOf("policie: []\n");
    expect(top.find((p) => p.path === "policie")?.fix).toBe('did you mean "policies"?');
  });

  it("lists the valid keys when no key is close", () => {
    const problem = problemAt(problemsOf("store: { zzzzzz: 1 }\npolicies: []\n"), "store.zzzzzz");
    expect(problem.fix).toBe("valid keys here: redis_url, prefix, timeout_ms");
    expect(problem).toMatchObject({ line: 1, column: 10 });
  });

  it("reports a quoted number as a wrong type with a fix to drop the quotes", () => {
    const problem = problemAt(
      problemsOf(ruleFile('resource: "*"', 'requests_per_minute: "100"')),
      "policies[0].rules[0].requests_per_minute",
    );
    expect(problem).toMatchObject({ line: 5, column: 30, policyId: "p", message: "expected number, got string" });
    expect(problem.fix).toBe("write the number without quotes: requests_per_minute: 100");
  });

  it("reports other wrong types and unions in plain words", () => {
    const problems = problemsOf(ruleFile("operation: 5", "allowed_users: alice", 'enabled: "yes"', "feature: f"));
    expect(problemAt(problems, "policies[0].rules[0].operation")).toMatchObject({
      message: "expected string or list, got number",
      fix: 'put the value in quotes: "5"',
    });
    expect(problemAt(problems, "policies[0].rules[0].allowed_users")).toMatchObject({
      message: "expected list, got string",
      fix: 'write a list: allowed_users: ["alice"]',
    });
    expect(problemAt(problems, "policies[0].rules[0].enabled").message).toBe("expected boolean, got string");
  });

  it("reports a fractional request limit as needing a whole number", () => {
    const problem = problemAt(
      problemsOf(ruleFile('resource: "*"', "requests_per_minute: 1.5")),
      "policies[0].rules[0].requests_per_minute",
    );
    expect(problem.message).toBe("expected a whole number, got 1.5");
    const infinite = problemAt(problemsOf(ruleFile('resource: "*"', "daily_budget: .inf")), "policies[0].rules[0].daily_budget");
    expect(infinite.message).toBe("expected number, got Infinity");
  });

  it("lists the valid actions for an unknown action and proposes the nearest", () => {
    const problem = problemAt(problemsOf(ruleFile('operation: "delete"', 'action: "blok"')), "policies[0].rules[0].action");
    expect(problem).toMatchObject({ line: 5, column: 17, message: 'unknown action "blok"' });
    expect(problem.fix).toContain('did you mean "block"?');
    for (const action of ["block", "warn", "require_confirmation", "warn_at_N%"]) expect(problem.fix).toContain(action);
    const missingPercent = problemAt(
      problemsOf(ruleFile('resource: "*"', "daily_budget: 5", "action: warn_at_80")),
      "policies[0].rules[0].action",
    );
    expect(missingPercent.fix).toContain('did you mean "warn_at_80%"?');
  });

  it("reports missing required keys at the enclosing policy", () => {
    const problems = problemsOf("policies:\n  - description: nothing here\n");
    expect(problemAt(problems, "policies[0].id")).toMatchObject({ line: 2, column: 5, message: 'missing required key "id"' });
    expect(problemAt(problems, "policies[0].rules")).toMatchObject({ line: 2, column: 5, message: 'missing required key "rules"' });
  });

  it("reports enum values with the nearest choice and out-of-range numbers", () => {
    const problems = problemsOf(
      ruleFile('resource: "*"', "daily_budget: -5", "alert_at_percentage: 150").replace("  - id: p\n", "  - id: p\n    fail: opne\n"),
    );
    expect(problemAt(problems, "policies[0].fail")).toMatchObject({
      message: 'expected one of "closed", "open", got "opne"',
      fix: 'did you mean "open"?',
    });
    expect(problemAt(problems, "policies[0].rules[0].daily_budget").message).toBe("daily_budget must be at least 0.000001, got -5");
    expect(problemAt(problems, "policies[0].rules[0].alert_at_percentage").message).toBe(
      "alert_at_percentage must be at most 100, got 150",
    );
  });

  it("reports a bad policy id with a cleaned-up suggestion, and an empty rules list", () => {
    const problems = problemsOf("policies:\n  - id: my policy!\n    rules: []\n");
    expect(problemAt(problems, "policies[0].id")).toMatchObject({ line: 2, column: 9, fix: 'e.g. id: "my_policy_"' });
    expect(problemAt(problems, "policies[0].rules")).toMatchObject({
      line: 3,
      column: 12,
      message: "a policy needs at least one rule, got an empty list",
    });
  });

  it("returns every problem of a file at once, in file order", () => {
    try {
      loadPolicyFile(join(BROKEN, "many_problems.yaml"));
      expect.unreachable();
    } catch (error) {
      const problems = (error as PolicyConfigError).problems;
      expect(problems.map((p) => [p.path, p.line, p.column])).toEqual([
        ["enforcment", 2, 1],
        ["policies[0].rules[0].monthly_budget", 7, 25],
        ["policies[0].rules[0].action", 8, 17],
        ["policies[1].rules[0].allowed_hours[0]", 12, 25],
        ["policies[1].rules[0].allowed_days[1]", 13, 29],
        ["policies[1].rules[0].timezone", 14, 19],
        ["policies[2].rules[0].monthly_budget", 19, 25],
      ]);
      expect(problems.map((p) => p.policyId)).toEqual([undefined, "budget", "budget", "hours", "hours", "hours", "both_budgets"]);
      expect((error as Error).message).toContain("7 problems");
      expect(readFileSync(join(BROKEN, "many_problems.yaml"), "utf8")).toContain("fryday");
    }
  });
});
