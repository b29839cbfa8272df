// Compares two versions of one rule: limits, budgets, action, time windows, preconditions, access and scope.
import type { CompiledRule } from "../../engine/compile/rule.js";
import { COUNTER_FIELDS } from "../../engine/config/rate-windows.js";
import type { RuleSpec } from "../../engine/config/schema.js";
import { algorithmChanges } from "./algorithm-change.js";
import { limitEffect, setMove, shown, type Effect } from "./change.js";

/** A change found inside one rule, before it is attached to its policy and position. */
export interface RuleChange {
  readonly effect: Effect;
  readonly change: string;
}

const WINDOW_FIELDS = ["allowed_hours", "forbidden_hours", "allowed_days", "forbidden_days", "timezone"] as const;
const SCOPE_FIELDS = ["resource", "resource_types", "operation", "route", "methods", "environments", "feature"] as const;
const ACTION_RANK = { warn: 0, require_confirmation: 1, require_approval: 2, block: 3 } as const;
/** Monday 5 January 2026 00:00 UTC: the start of the reference week time windows are sampled over. */
const REFERENCE_WEEK = Date.UTC(2026, 0, 5);
const MINUTE = 60_000;
const WEEK_MINUTES = 7 * 24 * 60;

function toSet(
  value: string | readonly string[] | undefined,
  normalize: (v: string) => string = (v) => v,
): ReadonlySet<string> | undefined {
  if (value === undefined) return undefined;
  return new Set((typeof value === "string" ? [value] : value).map(normalize));
}

/** The minutes of a reference week at which the rule's time window (its compiled check) lets a call through. */
function allowedMinutes(rule: CompiledRule): Set<string> {
  const time = rule.checks.find((check) => check.kind === "time");
  const minutes = new Set<string>();
  for (let m = 0; m < WEEK_MINUTES; m++) if (time?.test({}, "", REFERENCE_WEEK + m * MINUTE) === undefined) minutes.add(String(m));
  return minutes;
}

function windowChange(beforeRule: CompiledRule, afterRule: CompiledRule): RuleChange | undefined {
  const [before, after] = [beforeRule.spec, afterRule.spec];
  if (WINDOW_FIELDS.every((field) => shown(before[field]) === shown(after[field]))) return undefined;
  const old = allowedMinutes(beforeRule);
  const now = allowedMinutes(afterRule);
  const move = setMove(old, now);
  if (move === "same") return undefined;
  const fields = WINDOW_FIELDS.filter((field) => shown(before[field]) !== shown(after[field]));
  const detail = fields.map((field) => `${field} ${shown(before[field])} → ${shown(after[field])}`).join(", ");
  const hours = (count: number) => `${Math.round((count / 60) * 10) / 10} h`;
  const effect: Effect = move === "narrower" ? "tightened" : move === "wider" ? "loosened" : "changed";
  return { effect, change: `${detail} (open ${hours(old.size)} → ${hours(now.size)} a week)` };
}

function factsOf(spec: RuleSpec): Map<string, string> | undefined {
  const facts = spec.require_facts;
  if (facts === undefined) return undefined;
  const pairs: [string, unknown][] = Array.isArray(facts) ? facts.map((name) => [name, true]) : Object.entries(facts);
  return new Map(pairs.map(([name, value]) => [name, JSON.stringify(value)]));
}

function factsChange(before: RuleSpec, after: RuleSpec): RuleChange | undefined {
  const old = factsOf(before);
  const now = factsOf(after);
  const oldKeys = old === undefined ? new Set<string>() : new Set([...old].map(([k, v]) => `${k}=${v}`));
  const newKeys = now === undefined ? new Set<string>() : new Set([...now].map(([k, v]) => `${k}=${v}`));
  const move = setMove(oldKeys, newKeys);
  if (move === "same") return undefined;
  // More required facts refuse more calls.
  const effect: Effect = move === "wider" ? "tightened" : move === "narrower" ? "loosened" : "changed";
  return { effect, change: `require_facts ${shown(before.require_facts)} → ${shown(after.require_facts)}` };
}

/** A check that admits the values in a set (environments, users/roles): a smaller set refuses more. */
function admittedChange(
  label: string,
  before: ReadonlySet<string> | undefined,
  after: ReadonlySet<string> | undefined,
  from: unknown,
  to: unknown,
): RuleChange | undefined {
  const move = setMove(before, after);
  if (move === "same") return undefined;
  const effect: Effect = move === "narrower" ? "tightened" : move === "wider" ? "loosened" : "changed";
  return { effect, change: `${label} ${shown(from)} → ${shown(to)}` };
}

function accessSet(spec: RuleSpec): ReadonlySet<string> | undefined {
  if (spec.allowed_users === undefined && spec.allowed_roles === undefined) return undefined;
  return new Set([...(spec.allowed_users ?? []).map((u) => `user:${u}`), ...(spec.allowed_roles ?? []).map((r) => `role:${r}`)]);
}

/**
 * Every dimension of a rule's scope as a set (undefined = any), so scopes can be compared.
 * @example scopeSets({ operation: "DELETE" }).operation // Set { "delete" }
 */
export function scopeSets(spec: RuleSpec): Record<(typeof SCOPE_FIELDS)[number], ReadonlySet<string> | undefined> {
  return {
    resource: spec.resource === undefined || spec.resource === "*" ? undefined : new Set([spec.resource]),
    resource_types: toSet(spec.resource_types),
    operation: toSet(spec.operation, (v) => v.toLowerCase()),
    route: toSet(spec.route),
    methods: toSet(spec.methods, (v) => v.toUpperCase()),
    environments: toSet(spec.environments),
    feature: toSet(spec.feature),
  };
}

function scopeChange(before: RuleSpec, after: RuleSpec): RuleChange | undefined {
  const old = scopeSets(before);
  const now = scopeSets(after);
  const moves = SCOPE_FIELDS.map((dimension) => [dimension, setMove(old[dimension], now[dimension])] as const).filter(
    ([, move]) => move !== "same",
  );
  if (moves.length === 0) return undefined;
  // A rule only ever restricts, so covering more calls tightens.
  const widened = moves.every(([, move]) => move === "wider");
  const narrowed = moves.every(([, move]) => move === "narrower");
  const effect: Effect = widened ? "tightened" : narrowed ? "loosened" : "changed";
  const detail = moves.map(([dimension]) => `${dimension} ${shown(before[dimension])} → ${shown(after[dimension])}`);
  return { effect, change: `scope ${widened ? "covers more calls" : narrowed ? "covers fewer calls" : "moved"}: ${detail.join(", ")}` };
}

/**
 * Every difference in meaning between two versions of a compiled rule, each judged tightened, loosened or changed.
 * @example ruleChanges(old.rule, now.rule) // [{ effect: "tightened", change: "requests_per_minute 100 → 50" }]
 */
export function ruleChanges(beforeRule: CompiledRule, afterRule: CompiledRule): RuleChange[] {
  const [before, after] = [beforeRule.spec, afterRule.spec];
  const changes: RuleChange[] = [];
  const scope = scopeChange(before, after);
  if (scope !== undefined) changes.push(scope);
  for (const field of COUNTER_FIELDS) {
    const effect = limitEffect(before[field], after[field]);
    if (effect !== undefined) changes.push({ effect, change: `${field} ${shown(before[field])} → ${shown(after[field])}` });
  }
  changes.push(...algorithmChanges(beforeRule, afterRule));
  const cost = limitEffect(after.cost, before.cost);
  if (cost !== undefined) changes.push({ effect: cost, change: `cost per call ${shown(before.cost)} → ${shown(after.cost)}` });
  if (before.key !== after.key)
    changes.push({ effect: "changed", change: `counted per ${before.key ?? "default key"} → per ${after.key ?? "default key"}` });
  if (beforeRule.action !== afterRule.action) {
    const effect: Effect = ACTION_RANK[afterRule.action] > ACTION_RANK[beforeRule.action] ? "tightened" : "loosened";
    changes.push({ effect, change: `action ${beforeRule.action} → ${afterRule.action}` });
  }
  if (beforeRule.warnAt !== afterRule.warnAt) {
    const percent = (warnAt: number | undefined) => (warnAt === undefined ? "none" : `${Math.round(warnAt * 100)}%`);
    changes.push({ effect: "changed", change: `warning threshold ${percent(beforeRule.warnAt)} → ${percent(afterRule.warnAt)}` });
  }
  const window = windowChange(beforeRule, afterRule);
  if (window !== undefined) changes.push(window);
  const environment = admittedChange(
    "require_environment",
    toSet(before.require_environment),
    toSet(after.require_environment),
    before.require_environment,
    after.require_environment,
  );
  if (environment !== undefined) changes.push(environment);
  const facts = factsChange(before, after);
  if (facts !== undefined) changes.push(facts);
  const access = admittedChange(
    "allowed users/roles",
    accessSet(before),
    accessSet(after),
    [...(accessSet(before) ?? [])],
    [...(accessSet(after) ?? [])],
  );
  if (access !== undefined) changes.push(access);
  if (before.feature !== undefined && after.feature !== undefined && (before.enabled ?? true) !== (after.enabled ?? true)) {
    changes.push({
      effect: after.enabled === false ? "tightened" : "loosened",
      change: `feature ${after.feature} ${after.enabled === false ? "switched off" : "switched on"}`,
    });
  }
  return changes;
}
