// File-wide semantic checks: the rule checks on every schema-valid rule, duplicate policy ids, the logging section.
import { PolicyFileSchema, RuleSchema } from "./schema.js";
import { checkAlgorithm } from "./algorithm-checks.js";
import type { ProblemReport } from "./problem-report.js";
import { checkRule } from "./rule-checks.js";
import { checkLogging } from "./logging-checks.js";
import { compileModelPattern } from "../pricing/model-pattern.js";

/** The items of `value` when it is a list, else an empty list. */
function listItems(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The named field of `value` when it is a mapping, else undefined. */
function field(value: unknown, name: string): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  return Object.prototype.hasOwnProperty.call(value, name) ? (value as Record<string, unknown>)[name] : undefined;
}

/** Reports each policy id that was already used by an earlier policy, naming where the first one is. */
function checkDuplicateIds(policies: readonly unknown[], report: ProblemReport): void {
  const firstIndex = new Map<string, number>();
  policies.forEach((policy, index) => {
    const id = field(policy, "id");
    if (typeof id !== "string") return;
    const first = firstIndex.get(id);
    if (first === undefined) {
      firstIndex.set(id, index);
      return;
    }
    report.add(["policies", index, "id"], {
      message: `policy id "${id}" is also defined at ${report.describePlace(["policies", first, "id"])}`,
      fix: "give each policy its own id, or merge the two policies",
    });
  });
}

/**
 * Reports each `prices:` key that names the same model as an earlier one once case is ignored (`GPT-4o`, `gpt-4o`):
 * models are compared as providers take them, so only the first would ever price a call.
 */
function checkPriceKeys(prices: unknown, report: ProblemReport): void {
  if (prices === null || typeof prices !== "object" || Array.isArray(prices)) return;
  const first = new Map<string, string>();
  for (const key of Object.keys(prices)) {
    const text = compileModelPattern(key).text;
    const earlier = first.get(text);
    if (earlier === undefined) first.set(text, key);
    else
      report.add(["prices", key], {
        message: `prices.${key} names the same model as prices.${earlier}: model names are compared without regard to case`,
        fix: `keep one of the two entries`,
      });
  }
}

/**
 * Adds every semantic problem in parsed policy-file data to `report`.
 * Works on raw data so it also covers rules in files that fail schema validation elsewhere:
 * each rule that passes `RuleSchema` on its own is checked.
 */
export function checkSemantics(data: unknown, report: ProblemReport): void {
  const policies = listItems(field(data, "policies"));
  const fileAlgorithm = PolicyFileSchema.shape.algorithm.safeParse(field(data, "algorithm")).data;
  policies.forEach((policy, policyIndex) => {
    listItems(field(policy, "rules")).forEach((rule, ruleIndex) => {
      const parsed = RuleSchema.safeParse(rule);
      if (!parsed.success) return;
      const path = ["policies", policyIndex, "rules", ruleIndex];
      checkRule(parsed.data, path, report);
      checkAlgorithm(parsed.data, path, report, fileAlgorithm);
    });
  });
  checkDuplicateIds(policies, report);
  checkPriceKeys(field(data, "prices"), report);
  checkLogging(field(data, "logging"), report);
}
