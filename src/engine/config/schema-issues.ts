// Turns zod validation issues into plain-language, located ConfigProblems with a concrete fix.
import { z } from "zod";
import { MAX_AMOUNT, MIN_AMOUNT } from "../amount.js";
import { PolicyFileSchema } from "./schema.js";
import { valueAtPath, type ProblemReport } from "./problem-report.js";
import { closestMatch, suggestionFix } from "./suggest.js";

/** The fix shown when a file has no usable `policies:` list: how to start one. */
export const STARTER_FIX = [
  "start the file with a policies: list, for example:",
  "policies:",
  '  - id: "rate_limit"',
  "    rules:",
  '      - resource: "*"',
  "        requests_per_minute: 100",
  '        action: "block"',
].join("\n");

/** Every action the schema accepts, as shown to people. */
export const ACTION_CHOICES = "block, warn, require_confirmation, require_approval, warn_at_N% (e.g. warn_at_80%)";

/** The valid keys of the object `root` (default: the policy file schema) expects at `path`, or [] when that place is not an object. */
export function validKeysAt(path: readonly PropertyKey[], root: z.ZodType = PolicyFileSchema): string[] {
  let schema: unknown = root;
  const unwrap = (s: unknown): unknown => (s instanceof z.ZodOptional ? unwrap(s.unwrap()) : s);
  for (const segment of path) {
    schema = unwrap(schema);
    if (schema instanceof z.ZodObject && typeof segment === "string") {
      schema = (schema.shape as Record<string, unknown>)[segment];
    } else if (schema instanceof z.ZodArray && typeof segment === "number") {
      schema = schema.element;
    } else return [];
  }
  schema = unwrap(schema);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

/** A value's type in YAML words: string, number, boolean, list, mapping, empty value, nothing. */
function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "empty value";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (value instanceof Uint8Array) return "binary data";
  if (Array.isArray(value)) return "list";
  if (typeof value === "object") return "mapping";
  return typeof value;
}

/** The name of an expected zod type in YAML words. */
function describeExpected(expected: string): string {
  const words: Record<string, string> = { array: "list", object: "mapping", record: "mapping", int: "whole number" };
  return words[expected] ?? expected;
}

/** The key a path ends in (for a list element, the key of the list). */
function keyName(path: readonly PropertyKey[]): string {
  const key = [...path].reverse().find((s) => typeof s === "string");
  return typeof key === "string" ? key : "value";
}

/** A short YAML rendering of a scalar for use inside messages. */
function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** How to write a value of the expected type, given what was written instead. */
function typeFix(expected: string, value: unknown, key: string): string | undefined {
  if (expected === "number" || expected === "int") {
    const asNumber = typeof value === "string" && value.trim() !== "" ? Number(value) : Number.NaN;
    return Number.isFinite(asNumber) ? `write the number without quotes: ${key}: ${asNumber}` : `write a number, e.g. ${key}: 100`;
  }
  if (expected === "string") {
    return typeof value === "number" || typeof value === "boolean"
      ? `put the value in quotes: "${String(value)}"`
      : `write text, e.g. ${key}: "name"`;
  }
  if (expected === "boolean") return `write true or false without quotes: ${key}: true`;
  if (expected === "array")
    return typeof value === "string" ? `write a list: ${key}: [${show(value)}]` : `write a list, e.g. ${key}: ["a", "b"]`;
  if (expected === "object" || expected === "record") {
    return key === "policies" ? "each policy is a mapping with id: and rules:" : `write a mapping of keys under ${key}:`;
  }
  return undefined;
}

/** The fix for a missing required key. */
function missingKeyFix(key: string): string {
  if (key === "id") return 'add an id, e.g. id: "my_policy"';
  if (key === "rules") return 'add rules: with at least one rule, e.g. rules: [{ operation: "delete", action: "require_confirmation" }]';
  return `add ${key}:`;
}

/** Suggests the intended action for an unknown action string. */
function actionFix(value: unknown): string {
  const text = String(value);
  const threshold = /^warn[\s_-]*at[\s_-]*(\d+)\s*%?$/i.exec(text.trim());
  if (threshold !== null) return `did you mean "warn_at_${threshold[1]}%"? valid actions: ${ACTION_CHOICES}`;
  const nearest = closestMatch(text, ["block", "warn", "require_confirmation", "require_approval"]);
  const lead = nearest === undefined ? "" : `did you mean "${nearest}"? `;
  return `${lead}valid actions: ${ACTION_CHOICES}`;
}

type Issue = z.core.$ZodIssue;

/** Reports one issue whose value has the wrong type. */
function reportInvalidType(issue: Issue & { code: "invalid_type" }, data: unknown, report: ProblemReport): void {
  const value = valueAtPath(data, issue.path);
  const key = keyName(issue.path);
  if (issue.path.length === 1 && issue.path[0] === "policies") {
    const message = value === undefined ? "the file has no policies: list" : `policies must be a list, got ${describeValue(value)}`;
    report.add(value === undefined ? [] : issue.path, { message, fix: STARTER_FIX });
  } else if (value === undefined) {
    report.add(issue.path, { message: `missing required key "${key}"`, fix: missingKeyFix(key) });
  } else if (issue.expected === "int" && typeof value === "number") {
    report.add(issue.path, {
      message: `expected a whole number, got ${value}`,
      fix: `write a whole number, e.g. ${key}: ${Math.max(1, Math.round(value))}`,
    });
  } else {
    const message = `expected ${describeExpected(issue.expected)}, got ${describeValue(value)}`;
    report.add(issue.path, { message, fix: typeFix(issue.expected, value, key) });
  }
}

/** Reports a union mismatch: either "expected A or B" or the issues of the branch that fit best. */
function reportInvalidUnion(issue: Issue & { code: "invalid_union" }, data: unknown, report: ProblemReport, root: z.ZodType): void {
  const branches = issue.errors;
  const isRootTypeMiss = (branch: readonly Issue[]): boolean =>
    branch.length === 1 && branch[0]?.code === "invalid_type" && branch[0].path.length === 0;
  const closer = branches.find((branch) => branch.length > 0 && !isRootTypeMiss(branch));
  if (closer !== undefined) {
    for (const inner of closer) reportIssue({ ...inner, path: [...issue.path, ...inner.path] }, data, report, root);
    return;
  }
  const value = valueAtPath(data, issue.path);
  const expected = branches.flatMap((b) => (b[0]?.code === "invalid_type" ? [b[0].expected] : []));
  const names = [...new Set(expected.map(describeExpected))];
  const message = names.length > 0 ? `expected ${names.join(" or ")}, got ${describeValue(value)}` : "this value is not valid here";
  const fixes = expected.map((e) => typeFix(e, value, keyName(issue.path))).filter((f) => f !== undefined);
  report.add(issue.path, { message, fix: fixes[0] });
}

const AMOUNT_KEYS: ReadonlySet<string> = new Set(["daily_budget", "monthly_budget", "cost"]);
const AMOUNT_FIX = `use an amount from ${MIN_AMOUNT} to ${MAX_AMOUNT}: budgets count in millionths of their unit, up to one billion (a cost may also be 0)`;

/** Reports a number, string or list that is too small or too big. */
function reportOutOfRange(issue: Issue & { code: "too_small" | "too_big" }, data: unknown, report: ProblemReport): void {
  const value = valueAtPath(data, issue.path);
  const key = keyName(issue.path);
  if (issue.origin === "array") {
    const what = key === "rules" ? "a policy needs at least one rule" : `${key} must list at least one item`;
    report.add(issue.path, {
      message: `${what}, got an empty list`,
      fix: key === "rules" ? missingKeyFix("rules") : `add an item, or remove ${key}:`,
    });
  } else if (issue.origin === "string") {
    report.add(issue.path, { message: `${key} must not be empty`, fix: `write a value, or remove ${key}:` });
  } else {
    const bound =
      issue.code === "too_small"
        ? `${issue.inclusive === true ? "at least" : "greater than"} ${issue.minimum}`
        : `${issue.inclusive === true ? "at most" : "less than"} ${issue.maximum}`;
    report.add(issue.path, {
      message: `${key} must be ${bound}, got ${show(value)}`,
      fix: AMOUNT_KEYS.has(key) ? AMOUNT_FIX : `use a number ${bound}`,
    });
  }
}

/** Reports a string that does not match its pattern (actions and policy ids get tailored fixes). */
function reportInvalidFormat(issue: Issue & { code: "invalid_format" }, data: unknown, report: ProblemReport): void {
  const value = valueAtPath(data, issue.path);
  const key = keyName(issue.path);
  if (key === "action") {
    report.add(issue.path, { message: `unknown action ${show(value)}`, fix: actionFix(value) });
  } else if (key === "id") {
    const cleaned = String(value).replace(/[^A-Za-z0-9_.-]+/g, "_");
    report.add(issue.path, { message: `policy id ${show(value)} may only contain letters, digits, _ . -`, fix: `e.g. id: "${cleaned}"` });
  } else {
    report.add(issue.path, { message: `${show(value)} is not valid here: ${issue.message}` });
  }
}

/** Reports one zod issue (recursing into unions) as one or more problems. */
function reportIssue(issue: Issue, data: unknown, report: ProblemReport, root: z.ZodType): void {
  switch (issue.code) {
    case "unrecognized_keys": {
      const valid = validKeysAt(issue.path, root);
      for (const key of issue.keys) {
        report.add([...issue.path, key], {
          message: `unknown key "${key}"`,
          fix: suggestionFix(key, valid, "valid keys here"),
          anchor: "key",
        });
      }
      return;
    }
    case "invalid_type":
      return reportInvalidType(issue, data, report);
    case "invalid_union":
      return reportInvalidUnion(issue, data, report, root);
    case "too_small":
    case "too_big":
      return reportOutOfRange(issue, data, report);
    case "invalid_format":
      return reportInvalidFormat(issue, data, report);
    case "invalid_value": {
      const value = valueAtPath(data, issue.path);
      const choices = issue.values.map(String);
      report.add(issue.path, {
        message: `expected one of ${choices.map((c) => `"${c}"`).join(", ")}, got ${show(value)}`,
        fix: suggestionFix(String(value), choices),
      });
      return;
    }
    default:
      report.add(issue.path, { message: issue.message });
  }
}

/**
 * Adds one located problem per zod issue (one per key for unknown keys) to `report`.
 * `data` is the parsed YAML the issues were found in, used to quote what was written; `root` is the schema
 * that produced the issues (default: the policy file's; `hexarch test` passes its case-file schema).
 */
export function reportSchemaIssues(
  issues: readonly z.core.$ZodIssue[],
  data: unknown,
  report: ProblemReport,
  root: z.ZodType = PolicyFileSchema,
): void {
  for (const issue of issues) reportIssue(issue, data, report, root);
}
