// Tests the semantic checks that run on schema-valid rules: each class of problem, located, with its fix.
import { join } from "node:path";
import { describe, it, expect } from "vitest";
import { loadPolicyFile, parsePolicyText } from "../../../src/engine/config/load.js";
import { PolicyConfigError, type ConfigProblem } from "../../../src/errors/config-error.js";
import { problemsOf } from "./problems-of.js";

const BROKEN = join(import.meta.dirname, "../../fixtures/broken");

/** A file with one policy "p" and one rule made of the given lines; the rule starts at line 4, column 9. */
function ruleFile(...ruleLines: string[]): string {
  const [first, ...rest] = ruleLines;
  return ["policies:", "  - id: p", "    rules:", `      - ${first}`, ...rest.map((l) => `        ${l}`)].join("\n") + "\n";
}

/** The single problem reported for a one-rule file, checked to sit at `path` inside the rule. */
function onlyProblem(text: string, path: string): ConfigProblem {
  const problems = problemsOf(text);
  expect(problems, JSON.stringify(problems, null, 1)).toHaveLength(1);
  const problem = problems[0] as ConfigProblem;
  expect(problem.path).toBe(`policies[0].rules[0]${path}`);
  expect(problem.policyId).toBe("p");
  return problem;
}

describe("semantic problems", () => {
  it("warn_at_N% needs 1 <= N <= 100", () => {
    for (const n of ["0", "101", "999"]) {
      const problem = onlyProblem(ruleFile('resource: "*"', "requests_per_minute: 10", `action: warn_at_${n}%`), ".action");
      expect(problem).toMatchObject({ line: 6, column: 17, message: `warn_at_${n}% is out of range: N must be between 1 and 100` });
    }
    expect(parsePolicyText(ruleFile('resource: "*"', "daily_budget: 10", "action: warn_at_100%"), "x").spec.policies).toHaveLength(1);
  });

  it("warn_at_N% and alert_at_percentage need a counter", () => {
    expect(onlyProblem(ruleFile("operation: delete", "action: warn_at_80%"), ".action").message).toBe(
      "warn_at_80% needs a counter to measure against",
    );
    const alert = onlyProblem(ruleFile("operation: delete", "alert_at_percentage: 80", "action: warn"), ".alert_at_percentage");
    expect(alert).toMatchObject({ line: 5, column: 30 });
  });

  it("a rule may not have both a daily and a monthly budget", () => {
    const problem = onlyProblem(ruleFile("resource: openai", "daily_budget: 5", "monthly_budget: 100"), ".monthly_budget");
    expect(problem).toMatchObject({ line: 6, column: 25, fix: "split into two rules: one with daily_budget, one with monthly_budget" });
  });

  it("cost needs a budget", () => {
    expect(onlyProblem(ruleFile("resource: openai", "requests_per_minute: 5", "cost: 0.5"), ".cost").message).toBe(
      "cost only counts against a budget",
    );
  });

  it("key needs a counter and must be a builtin or an identifier", () => {
    expect(onlyProblem(ruleFile("operation: delete", "key: user"), ".key")).toMatchObject({
      line: 5,
      column: 14,
      message: "key only applies to a counter",
    });
    const bad = onlyProblem(ruleFile('resource: "*"', "requests_per_minute: 5", 'key: "api-key"'), ".key");
    expect(bad.fix).toContain('did you mean "api_key"?');
    expect(parsePolicyText(ruleFile('resource: "*"', "requests_per_minute: 5", "key: tenant_id"), "x").spec.policies).toHaveLength(1);
  });

  it("hour ranges must be HH:MM-HH:MM with different start and end", () => {
    const loose = onlyProblem(ruleFile("operation: delete", 'allowed_hours: ["09:00-17:00", "9-17"]'), ".allowed_hours[1]");
    expect(loose).toMatchObject({ line: 5, column: 40, message: '"9-17" is not an hour range', fix: 'did you mean "09:00-17:00"?' });
    const empty = onlyProblem(ruleFile("operation: delete", 'forbidden_hours: ["10:00-10:00"]'), ".forbidden_hours[0]");
    expect(empty.message).toBe('"10:00-10:00" starts and ends at the same time');
    expect(onlyProblem(ruleFile("operation: delete", 'allowed_hours: ["25:00-26:00"]'), ".allowed_hours[0]").fix).toContain("HH:MM-HH:MM");
  });

  it("day names may be full or 3-letter, any case; unknown ones get the nearest suggestion", () => {
    expect(parsePolicyText(ruleFile("operation: delete", "allowed_days: [Monday, TUE, wed, Thursday]"), "x").spec.policies).toHaveLength(1);
    const problem = onlyProblem(ruleFile("operation: delete", "allowed_days: [mon, tuesdy]"), ".allowed_days[1]");
    expect(problem).toMatchObject({ line: 5, column: 29, message: 'unknown day "tuesdy"', fix: 'did you mean "tuesday"?' });
  });

  it("timezone must be a known IANA zone, with the nearest suggested", () => {
    const problem = onlyProblem(ruleFile("operation: delete", 'allowed_hours: ["09:00-17:00"]', "timezone: America/New_Yrok"), ".timezone");
    expect(problem).toMatchObject({
      line: 6,
      column: 19,
      message: 'unknown time zone "America/New_Yrok"',
      fix: 'did you mean "America/New_York"?',
    });
  });

  it("timezone only makes sense with hours, days or budgets", () => {
    const problem = onlyProblem(ruleFile('resource: "*"', "requests_per_minute: 5", "timezone: Europe/Paris"), ".timezone");
    expect(problem.message).toBe("timezone has no effect here: the rule has no hours, days or budget");
    expect(parsePolicyText(ruleFile("resource: openai", "daily_budget: 5", "timezone: Europe/Paris"), "x").spec.policies).toHaveLength(1);
  });

  it("enabled and requires_approval inside a rule need feature", () => {
    const problems = problemsOf(ruleFile("operation: export", "enabled: true", "requires_approval: true"));
    expect(problems.map((p) => [p.path, p.line, p.column])).toEqual([
      ["policies[0].rules[0].enabled", 5, 18],
      ["policies[0].rules[0].requires_approval", 6, 28],
    ]);
    expect(problems[0]?.fix).toContain("feature:");
  });

  it("route patterns must start with /", () => {
    const problem = onlyProblem(ruleFile('route: ["/ok", "admin/*"]'), ".route[1]");
    expect(problem).toMatchObject({ line: 4, column: 24, message: 'route "admin/*" must start with /', fix: 'write "/admin/*"' });
  });

  it("a rule with no scope, check or counter that blocks would block every call", () => {
    try {
      loadPolicyFile(join(BROKEN, "blocks_everything.yaml"));
      expect.unreachable();
    } catch (error) {
      const [problem] = (error as PolicyConfigError).problems;
      expect(problem).toMatchObject({ path: "policies[0].rules[0]", line: 5, column: 9, policyId: "oops" });
      expect(problem?.fix).toBe("add a scope such as operation: or resource:, or remove the rule");
    }
    expect(parsePolicyText(ruleFile("action: require_confirmation"), "x").spec.policies).toHaveLength(1);
  });

  it("an empty rule is an error", () => {
    expect(onlyProblem(ruleFile("{}"), "")).toMatchObject({ line: 4, column: 9, message: "empty rule" });
  });

  it("duplicate policy ids name both places", () => {
    const file = join(BROKEN, "duplicate_ids.yaml");
    try {
      loadPolicyFile(file);
      expect.unreachable();
    } catch (error) {
      const problems = (error as PolicyConfigError).problems;
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ path: "policies[2].id", line: 11, column: 9, policyId: "limits" });
      expect(problems[0]?.message).toBe(`policy id "limits" is also defined at ${file}:3:9`);
    }
  });

  it("checks rules that pass the schema even when other rules in the file do not", () => {
    const text = ruleFile('resource: "*"', "requests_per_minit: 5") + "      - operation: delete\n        key: user\n";
    const problems = problemsOf(text);
    expect(problems.map((p) => p.path)).toEqual(["policies[0].rules[0].requests_per_minit", "policies[0].rules[1].key"]);
  });
});

describe("prices", () => {
  it("two prices: keys that differ only in case are refused, since model names are compared without case", () => {
    const problems = problemsOf(
      'prices:\n  gpt-4o: { input_per_mtok: 1, output_per_mtok: 1 }\n  "GPT-4o": { input_per_mtok: 9, output_per_mtok: 9 }\npolicies: []\n',
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      path: 'prices["GPT-4o"]',
      message: expect.stringContaining("names the same model as prices.gpt-4o"),
    });
  });
});
