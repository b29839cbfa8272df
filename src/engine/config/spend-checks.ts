// Semantic checks on a rule's AI-spend keys: reservation_ttl needs a budget, and a ceiling above the budget never binds.
import type { ProblemReport } from "./problem-report.js";
import type { RuleSpec } from "./schema.js";

type RulePath = readonly (string | number)[];

/** Adds the problems of `reservation_ttl`, `max_cost_per_call` and the model lists of one rule to `report`. */
export function checkSpendKeys(rule: RuleSpec, path: RulePath, report: ProblemReport): void {
  const budget = rule.daily_budget ?? rule.monthly_budget;
  if (rule.reservation_ttl !== undefined && (budget === undefined || rule.cost !== undefined)) {
    report.add([...path, "reservation_ttl"], {
      message:
        budget === undefined
          ? "reservation_ttl only applies to a budget"
          : "reservation_ttl has no effect with a fixed cost: nothing is reserved to settle",
      fix:
        budget === undefined
          ? "add daily_budget: or monthly_budget:, or remove reservation_ttl:"
          : "remove cost: (calls then reserve their estimate), or remove reservation_ttl:",
    });
  }
  if (rule.max_cost_per_call !== undefined && budget !== undefined && rule.max_cost_per_call > budget) {
    report.add([...path, "max_cost_per_call"], {
      message: `max_cost_per_call ${rule.max_cost_per_call} is more than the whole budget of ${budget}: it can never refuse a call the budget admits`,
      fix: `use a max_cost_per_call below ${budget}, or remove it`,
    });
  }
  for (const key of ["models", "forbidden_models"] as const) {
    (rule[key] ?? []).forEach((pattern, index) => {
      if (pattern.trim() === pattern && pattern.replaceAll("*", "") !== "") return;
      report.add([...path, key, index], {
        message:
          pattern.trim() !== pattern ? `model pattern "${pattern}" has spaces around it` : `model pattern "${pattern}" matches every model`,
        fix:
          pattern.trim() !== pattern
            ? `write "${pattern.trim()}"`
            : key === "models"
              ? "remove models: to allow every model"
              : "to refuse every call, use a rule without forbidden_models:",
      });
    });
  }
}
