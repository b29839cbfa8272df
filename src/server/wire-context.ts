// A Decision as the JSON answer of POST /v1/decisions (the context's mapping is src/engine/wire-context.ts, shared with the client).
import type { Decision } from "../engine/decision.js";
import type { DecisionResponse } from "./schemas.js";

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
    // A `warn` outcome has no deciding rule; the policy that warned is the one to name (null said "no policy").
    policy: decision.policyId ?? (decision.outcome === "warn" ? decision.warnings[0]?.rule?.policyId : undefined) ?? null,
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
    ...(decision.approval === undefined ? {} : { approval: decision.approval }),
  };
}
