// One human line per rule, for reasons, explanations, logs and `hexarch list`.
import { RATE_WINDOWS } from "../config/rate-windows.js";
import type { RuleSpec } from "../config/schema.js";

function joined(value: string | readonly string[] | undefined): string | undefined {
  return value === undefined ? undefined : typeof value === "string" ? value : value.join(", ");
}

/**
 * What a rule limits or checks, and its action: `100 requests per minute per client`.
 * @example describeTriggers({ monthly_budget: 10, action: "warn_at_80%" }) // "monthly budget 10, action warn_at_80%"
 */
export function describeTriggers(spec: RuleSpec, perCallFields: readonly string[] = []): string {
  const parts: string[] = [];
  for (const { field, unit } of RATE_WINDOWS) {
    const limit = spec[field];
    if (limit !== undefined) parts.push(`${limit} requests per ${unit} per ${spec.key ?? "client"}`);
    if (perCallFields.includes(field)) parts.push(`a per-call limit of requests per ${unit} per ${spec.key ?? "client"}`);
  }
  if (spec.algorithm === "sliding_window") parts.push("sliding window");
  if (spec.algorithm === "token_bucket") parts.push(spec.burst === undefined ? "token bucket" : `token bucket, burst ${spec.burst}`);
  if (spec.count === "all") parts.push("refused calls counted");
  const budget = spec.monthly_budget ?? spec.daily_budget;
  if (budget !== undefined) {
    const period = spec.monthly_budget !== undefined ? "monthly" : "daily";
    parts.push(`${period} budget ${budget}${spec.key === undefined ? "" : ` per ${spec.key}`}`);
  }
  if (spec.allowed_hours !== undefined) parts.push(`allowed hours ${spec.allowed_hours.join(", ")}`);
  if (spec.forbidden_hours !== undefined) parts.push(`forbidden hours ${spec.forbidden_hours.join(", ")}`);
  if (spec.allowed_days !== undefined) parts.push(`allowed days ${spec.allowed_days.join(", ")}`);
  if (spec.forbidden_days !== undefined) parts.push(`forbidden days ${spec.forbidden_days.join(", ")}`);
  if (spec.require_environment !== undefined) parts.push(`environment must be ${joined(spec.require_environment)}`);
  if (spec.require_facts !== undefined) {
    const facts = Array.isArray(spec.require_facts) ? spec.require_facts : Object.keys(spec.require_facts);
    parts.push(`requires ${facts.join(", ")}`);
  }
  if (spec.allowed_users !== undefined) parts.push(`only users ${spec.allowed_users.join(", ")}`);
  if (spec.allowed_roles !== undefined) parts.push(`only roles ${spec.allowed_roles.join(", ")}`);
  if (spec.feature !== undefined) parts.push(`feature ${spec.feature}${spec.enabled === false ? " off" : ""}`);
  const action = spec.requires_approval === true ? "require_confirmation" : (spec.action ?? "block");
  if (parts.length === 0) parts.push(UNCONDITIONAL_WORDS[action] ?? "blocked");
  else if (action !== "block") parts.push(`action ${action}`);
  if (spec.timezone !== undefined) parts.push(`in ${spec.timezone}`);
  return parts.join(", ");
}

/** What a rule with no trigger does, in the summary's words. */
const UNCONDITIONAL_WORDS: Readonly<Record<string, string>> = {
  require_confirmation: "confirmation required",
  require_approval: "approval required",
  warn: "warn",
};

/**
 * Which calls a rule covers, or undefined when it covers every call: `operation delete, resource openai`.
 * @example describeScope({ operation: "delete" }) // "operation delete"
 */
export function describeScope(spec: RuleSpec): string | undefined {
  const scope = [
    spec.operation === undefined ? undefined : `operation ${joined(spec.operation)}`,
    spec.resource === undefined ? undefined : spec.resource === "*" ? "every resource" : `resource ${spec.resource}`,
    spec.resource_types === undefined ? undefined : `resource type ${spec.resource_types.join(", ")}`,
    spec.route === undefined ? undefined : `route ${joined(spec.route)}`,
    spec.methods === undefined ? undefined : `methods ${spec.methods.join(", ")}`,
    spec.environments === undefined ? undefined : `in ${spec.environments.join(", ")}`,
  ].filter((part) => part !== undefined);
  return scope.length === 0 ? undefined : scope.join(", ");
}

/**
 * Describes what a rule limits or checks, then its scope: `100 requests per minute per client, on every resource`.
 * `perCallFields` names the rate fields given as functions of the call (code policies).
 */
export function summarizeRule(spec: RuleSpec, perCallFields?: readonly string[]): string {
  const scope = describeScope(spec);
  const triggers = describeTriggers(spec, perCallFields);
  return scope === undefined ? triggers : `${triggers}, on ${scope}`;
}
