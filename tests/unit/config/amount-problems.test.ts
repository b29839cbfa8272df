// Budgets and costs a store cannot count are refused when the policy file loads, at the value, with the bound.
import { describe, expect, it } from "vitest";
import type { ConfigProblem } from "../../../src/errors/config-error.js";
import { problemsOf } from "./problems-of.js";

function budgetFile(...lines: string[]): string {
  return ["policies:", "  - id: p", "    rules:", "      - resource: openai", ...lines.map((l) => `        ${l}`)].join("\n") + "\n";
}

function onlyProblem(text: string): ConfigProblem {
  const problems = problemsOf(text);
  expect(problems, JSON.stringify(problems, null, 1)).toHaveLength(1);
  return problems[0] as ConfigProblem;
}

describe("amounts in the policy file", () => {
  it("does not load a budget that rounds to zero millionths", () => {
    const problem = onlyProblem(budgetFile("monthly_budget: 0.0000004"));
    expect(problem).toMatchObject({ path: "policies[0].rules[0].monthly_budget", line: 5, column: 25 });
    expect(problem.message).toBe("monthly_budget must be at least 0.000001, got 4e-7");
    expect(problem.fix).toContain("0.000001");
  });

  it("does not load a budget beyond what a store counts exactly", () => {
    const problem = onlyProblem(budgetFile("daily_budget: 1e21"));
    expect(problem).toMatchObject({ path: "policies[0].rules[0].daily_budget", line: 5, column: 23 });
    expect(problem.message).toBe("daily_budget must be at most 1000000000, got 1e+21");
  });

  it("does not load a fixed cost that every call would get for free", () => {
    const problem = onlyProblem(budgetFile("monthly_budget: 10", "cost: 0.0000001"));
    expect(problem).toMatchObject({ path: "policies[0].rules[0].cost", line: 6 });
    expect(problem.message).toMatch(/1e-7 is below 0.000001/);
    expect(problem.fix).toMatch(/cost: 0/);
  });

  it("does not load a fixed cost beyond what a store counts, nor one larger than its budget", () => {
    expect(onlyProblem(budgetFile("monthly_budget: 10", "cost: 1e303")).message).toBe("cost must be at most 1000000000, got 1e+303");
    const tooBig = onlyProblem(budgetFile("monthly_budget: 10", "cost: 11"));
    expect(tooBig).toMatchObject({ path: "policies[0].rules[0].cost", line: 6 });
    expect(tooBig.message).toMatch(/more than the whole monthly_budget of 10/);
  });

  it("loads the bounds themselves and a free call", () => {
    for (const lines of [
      ["monthly_budget: 0.000001"],
      ["daily_budget: 1000000000", "cost: 1000000000"],
      ["monthly_budget: 5", "cost: 0"],
    ]) {
      expect(() => problemsOf(budgetFile(...lines))).toThrow("expected a PolicyConfigError");
    }
  });
});
