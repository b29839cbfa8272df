// Semantic checks on one schema-valid rule: combinations of keys and values the schema alone cannot catch.
import { MIN_AMOUNT } from "../amount.js";
import { DAY_NAMES } from "../time/window-spec.js";
import { ACTION_PATTERN, BUILTIN_KEYS, HOUR_RANGE_PATTERN, type RuleSpec } from "./schema.js";
import type { ProblemReport } from "./problem-report.js";
import { COUNTER_FIELDS, RATE_LIMIT_FIELDS } from "./rate-windows.js";
import { closestMatch } from "./suggest.js";
import { checkSpendKeys } from "./spend-checks.js";

const SCOPE_KEYS = ["resource", "resource_types", "operation", "route", "methods", "environments", "feature"] as const;
const CHECK_KEYS = [
  "allowed_users",
  "allowed_roles",
  "allowed_hours",
  "forbidden_hours",
  "allowed_days",
  "forbidden_days",
  "require_environment",
  "require_facts",
  "models",
  "forbidden_models",
  "max_cost_per_call",
] as const;
const CALENDAR_KEYS = ["allowed_hours", "forbidden_hours", "allowed_days", "forbidden_days", "daily_budget", "monthly_budget"] as const;
const DAY_ABBREVIATIONS = DAY_NAMES.map((day) => day.slice(0, 3));
const CUSTOM_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

type RulePath = readonly (string | number)[];

/** Whether the rule sets any of the given keys. */
function hasAny(rule: RuleSpec, keys: readonly (keyof RuleSpec)[]): boolean {
  return keys.some((key) => rule[key] !== undefined);
}

/** Turns a string or list into a list of [value, path] pairs, so list entries can be located one by one. */
function entries(value: string | readonly string[], path: RulePath): [string, RulePath][] {
  return typeof value === "string" ? [[value, path]] : value.map((item, index) => [item, [...path, index]]);
}

/** Whether `name` is an IANA time zone this runtime knows. */
export function isKnownTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Minutes since midnight for `HH:MM` (24:00 is 1440). */
function minutesOf(clock: string): number {
  const [hours, minutes] = clock.split(":").map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}

/** A corrected hour range for loose input such as `9-17` or `9:00 - 17:30`, when one can be guessed. */
function guessHourRange(text: string): string | undefined {
  const loose = /^\s*(\d{1,2})(?:[:.](\d{2}))?\s*-\s*(\d{1,2})(?:[:.](\d{2}))?\s*$/.exec(text);
  if (loose === null) return undefined;
  const pad = (n: string | undefined): string => (n ?? "0").padStart(2, "0");
  const guess = `${pad(loose[1])}:${pad(loose[2])}-${pad(loose[3])}:${pad(loose[4])}`;
  return HOUR_RANGE_PATTERN.test(guess) ? guess : undefined;
}

/** Checks `allowed_hours` / `forbidden_hours` entries: format and a non-empty span. */
function checkHours(rule: RuleSpec, path: RulePath, report: ProblemReport): void {
  for (const key of ["allowed_hours", "forbidden_hours"] as const) {
    for (const [range, at] of entries(rule[key] ?? [], [...path, key])) {
      const match = HOUR_RANGE_PATTERN.exec(range);
      if (match === null) {
        const guess = guessHourRange(range);
        const fix = guess === undefined ? 'write HH:MM-HH:MM on a 24-hour clock, e.g. "09:00-17:00"' : `did you mean "${guess}"?`;
        report.add(at, { message: `"${range}" is not an hour range`, fix });
      } else if (minutesOf(`${match[1]}:${match[2]}`) === minutesOf(`${match[3]}:${match[4]}`)) {
        report.add(at, {
          message: `"${range}" starts and ends at the same time`,
          fix: 'for the whole day write "00:00-24:00"; otherwise use different start and end times',
        });
      }
    }
  }
}

/** Checks `allowed_days` / `forbidden_days` entries against full English names and 3-letter abbreviations. */
function checkDays(rule: RuleSpec, path: RulePath, report: ProblemReport): void {
  const known = new Set<string>([...DAY_NAMES, ...DAY_ABBREVIATIONS]);
  for (const key of ["allowed_days", "forbidden_days"] as const) {
    for (const [day, at] of entries(rule[key] ?? [], [...path, key])) {
      if (known.has(day.trim().toLowerCase())) continue;
      const nearest = closestMatch(day.trim(), [...DAY_NAMES, ...DAY_ABBREVIATIONS]);
      const fix = nearest === undefined ? "use monday … sunday, or mon … sun" : `did you mean "${nearest}"?`;
      report.add(at, { message: `unknown day "${day}"`, fix });
    }
  }
}

/** Checks that `timezone` is a known IANA zone and that the rule has something it applies to. */
function checkTimeZone(rule: RuleSpec, path: RulePath, report: ProblemReport): void {
  const zone = rule.timezone;
  if (zone === undefined) return;
  const at = [...path, "timezone"];
  if (!isKnownTimeZone(zone)) {
    const nearest = closestMatch(zone, [...Intl.supportedValuesOf("timeZone"), "UTC"]);
    const fix =
      nearest === undefined ? "use an IANA time zone such as America/New_York, Europe/Berlin or UTC" : `did you mean "${nearest}"?`;
    report.add(at, { message: `unknown time zone "${zone}"`, fix });
  }
  if (!hasAny(rule, CALENDAR_KEYS)) {
    report.add(at, {
      message: "timezone has no effect here: the rule has no hours, days or budget",
      fix: "remove timezone:, or add allowed_hours:, allowed_days: or a budget to this rule",
    });
  }
}

/** Checks the counter-related keys: thresholds, budgets, cost and key. */
function checkCounters(rule: RuleSpec, path: RulePath, report: ProblemReport): void {
  const hasCounter = hasAny(rule, COUNTER_FIELDS);
  const threshold = rule.action === undefined ? null : ACTION_PATTERN.exec(rule.action);
  const percent = threshold?.[2];
  if (percent !== undefined && (Number(percent) < 1 || Number(percent) > 100)) {
    report.add([...path, "action"], {
      message: `warn_at_${percent}% is out of range: N must be between 1 and 100`,
      fix: 'e.g. action: "warn_at_80%"',
    });
  }
  const counterFix = "add requests_per_minute:, daily_budget: or monthly_budget: to this rule";
  if (percent !== undefined && !hasCounter) {
    report.add([...path, "action"], {
      message: `${rule.action ?? ""} needs a counter to measure against`,
      fix: `${counterFix}, or use action: "warn"`,
    });
  }
  if (rule.alert_at_percentage !== undefined && !hasCounter) {
    report.add([...path, "alert_at_percentage"], {
      message: "alert_at_percentage needs a counter to measure against",
      fix: `${counterFix}, or remove alert_at_percentage:`,
    });
  }
  if (rule.daily_budget !== undefined && rule.monthly_budget !== undefined) {
    report.add([...path, "monthly_budget"], {
      message: "a rule may have daily_budget or monthly_budget, not both",
      fix: "split into two rules: one with daily_budget, one with monthly_budget",
    });
  }
  if (rule.cost !== undefined) checkCost(rule, rule.cost, [...path, "cost"], report);
  if (rule.key !== undefined) checkCounterKey(rule.key, hasCounter, [...path, "key"], report);
  if (rule.count !== undefined && !hasAny(rule, RATE_LIMIT_FIELDS)) {
    report.add([...path, "count"], {
      message: "count only applies to a rate limit",
      fix: "add requests_per_minute: (or another requests_per_ key), or remove count:",
    });
  }
}

/** Checks a fixed `cost`: it needs a budget, counts (0, or at least one millionth) and fits inside that budget. */
function checkCost(rule: RuleSpec, cost: number, at: RulePath, report: ProblemReport): void {
  const [budgetKey, budget] =
    rule.daily_budget !== undefined ? ["daily_budget", rule.daily_budget] : ["monthly_budget", rule.monthly_budget];
  if (budget === undefined) {
    report.add(at, { message: "cost only counts against a budget", fix: "add daily_budget: or monthly_budget:, or remove cost:" });
  } else if (cost > budget) {
    report.add(at, {
      message: `cost ${cost} is more than the whole ${budgetKey} of ${budget}: every call would be refused`,
      fix: `use a cost of at most ${budget}, or raise ${budgetKey}:`,
    });
  }
  if (cost > 0 && cost < MIN_AMOUNT) {
    report.add(at, {
      message: `cost ${cost} is below ${MIN_AMOUNT}, the smallest amount a budget counts: every call would be free`,
      fix: `write cost: 0 for free calls, or a cost of at least ${MIN_AMOUNT}`,
    });
  }
}

/** Checks `key`: only with a counter, and a builtin or identifier-like custom name. */
function checkCounterKey(key: string, hasCounter: boolean, at: RulePath, report: ProblemReport): void {
  if (!hasCounter) {
    report.add(at, {
      message: "key only applies to a counter",
      fix: "add requests_per_minute: (or another counter or budget), or remove key:",
    });
  }
  if ((BUILTIN_KEYS as readonly string[]).includes(key) || CUSTOM_KEY_PATTERN.test(key)) return;
  const nearest = closestMatch(key, BUILTIN_KEYS);
  const choices = `use one of ${BUILTIN_KEYS.join(", ")}, or a custom key name made of letters, digits and _`;
  report.add(at, {
    message: `key "${key}" is neither a built-in key nor a valid custom key name`,
    fix: nearest === undefined ? choices : `did you mean "${nearest}"? ${choices}`,
  });
}

/** Checks keys that only make sense together with others: feature switches and routes. */
function checkCompanions(rule: RuleSpec, path: RulePath, report: ProblemReport): void {
  for (const key of ["enabled", "requires_approval"] as const) {
    if (rule[key] !== undefined && rule.feature === undefined) {
      report.add([...path, key], {
        message: `${key} only applies to a feature rule`,
        fix: `add feature: "<flag name>" to this rule, or remove ${key}:`,
      });
    }
  }
  if (rule.approval_ttl !== undefined && rule.action !== "require_approval")
    report.add([...path, "approval_ttl"], {
      message: "approval_ttl only applies to a rule with action: require_approval",
      fix: "add action: require_approval to this rule, or remove approval_ttl:",
    });
  for (const [route, at] of entries(rule.route ?? [], [...path, "route"])) {
    if (!route.startsWith("/")) report.add(at, { message: `route "${route}" must start with /`, fix: `write "/${route}"` });
  }
}

/**
 * Adds every semantic problem of one rule (already valid against RuleSchema) to `report`.
 * `path` is the rule's key path, e.g. `["policies", 0, "rules", 1]`.
 */
export function checkRule(rule: RuleSpec, path: RulePath, report: ProblemReport): void {
  if (Object.keys(rule).length === 0) {
    report.add(path, {
      message: "empty rule",
      fix: 'add a scope and a limit, e.g. operation: "delete" with action: "require_confirmation", or remove the rule',
    });
    return;
  }
  checkCounters(rule, path, report);
  checkHours(rule, path, report);
  checkDays(rule, path, report);
  checkTimeZone(rule, path, report);
  checkCompanions(rule, path, report);
  checkSpendKeys(rule, path, report);
  const blocks = rule.action === undefined || rule.action === "block";
  if (blocks && !hasAny(rule, SCOPE_KEYS) && !hasAny(rule, CHECK_KEYS) && !hasAny(rule, COUNTER_FIELDS)) {
    report.add(path, {
      message: "this rule has no scope, check or limit, so it would block every call",
      fix: "add a scope such as operation: or resource:, or remove the rule",
    });
  }
}
