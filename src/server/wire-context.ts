// Translates the wire's snake_case context into a GuardContext, and a Decision into the JSON answer.
import type { GuardContext } from "../engine/context.js";
import type { Decision } from "../engine/decision.js";
import type { DecisionResponse, WireContext } from "./schemas.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The GuardContext for a validated wire context: only the fields stated are set.
 * @example toGuardContext({ operation: "delete", resource_type: "table" }) // { operation: "delete", resourceType: "table" }
 */
export function toGuardContext(wire: WireContext): Mutable<GuardContext> {
  const ctx: Mutable<GuardContext> = {};
  if (wire.operation !== undefined) ctx.operation = wire.operation;
  if (wire.resource !== undefined) ctx.resource = wire.resource;
  if (wire.resource_type !== undefined) ctx.resourceType = wire.resource_type;
  if (wire.route !== undefined) ctx.route = wire.route;
  if (wire.method !== undefined) ctx.method = wire.method.toUpperCase();
  if (wire.client !== undefined) ctx.client = wire.client;
  if (wire.user !== undefined) ctx.user = wire.user;
  if (wire.roles !== undefined) ctx.roles = wire.roles;
  if (wire.api_key !== undefined) ctx.apiKey = wire.api_key;
  if (wire.environment !== undefined) ctx.environment = wire.environment;
  if (wire.facts !== undefined) ctx.facts = wire.facts;
  if (wire.feature !== undefined) ctx.feature = wire.feature;
  if (wire.cost !== undefined) ctx.cost = wire.cost;
  if (wire.keys !== undefined) ctx.keys = wire.keys;
  if (wire.model !== undefined) ctx.model = wire.model;
  if (wire.input_tokens !== undefined) ctx.inputTokens = wire.input_tokens;
  if (wire.max_output_tokens !== undefined) ctx.maxOutputTokens = wire.max_output_tokens;
  return ctx;
}

/**
 * The JSON answer for a decision (without `confirm`, which the confirmation flow adds).
 * @example decisionBody("d_1", decision, false).allowed
 */
export function decisionBody(id: string, decision: Decision, dryRun: boolean): DecisionResponse {
  const rule = decision.rule;
  return {
    id,
    outcome: decision.outcome,
    allowed: decision.isAllowed(),
    reason: decision.reason,
    kind: decision.kind ?? null,
    policy: decision.policyId ?? null,
    rule: rule === undefined ? null : { policy: rule.policyId, index: rule.index, summary: rule.summary },
    retry_after: decision.retryAfter ?? null,
    counters: decision.counters.map((c) => ({
      policy: c.rule.policyId,
      rule: c.rule.index,
      kind: c.kind,
      window: c.window,
      limit: c.limit,
      used: c.used,
      remaining: c.remaining,
      reset_at: new Date(c.resetAt).toISOString(),
    })),
    warnings: decision.warnings.map((w) => ({
      kind: w.kind,
      policy: w.rule?.policyId ?? null,
      message: w.message,
      would_be: w.wouldBe ?? null,
    })),
    would_be: decision.wouldBe ?? null,
    dry_run: dryRun,
  };
}
