// POST /v1/decisions, /v1/explain and /v1/decisions/{id}/settle: the engine's answer over HTTP, a refusal being a 200.
import type { Hono } from "hono";
import type { Decision } from "../../engine/decision.js";
import type { Guardian } from "../../guardian/create-guardian.js";
import { unrecordable } from "../../log/logged-engine.js";
import type { JsonValue } from "../../log/canonical.js";
import { readBody, sendProblem } from "../respond.js";
import {
  DecisionRequestSchema,
  ExplainRequestSchema,
  SettleRequestSchema,
  type DecisionRequest,
  type DecisionResponse,
} from "../schemas.js";
import { plainDecisionRequest } from "../plain-request.js";
import { reservedBy, usageCost } from "../reservation-id.js";
import { NOT_YOURS, nonceOf } from "../reservations.js";
import type { Ctx, ServerDeps, ServerEnv } from "../server-deps.js";
import { decisionBody } from "../wire-context.js";
import { toGuardContext } from "../../engine/wire-context.js";

/** The policy ids a request names, or the answer refusing an unknown one. */
function policyIds(c: Ctx, guardian: Guardian, policy: DecisionRequest["policy"]): readonly string[] | undefined | Response {
  if (policy === undefined) return undefined;
  const ids = typeof policy === "string" ? [policy] : policy;
  const known = guardian.policies.policies;
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length === 0) return ids;
  const errors = unknown.map((id) => ({ path: "policy", message: `no policy with id "${id}"; known: ${[...known.keys()].join(", ")}` }));
  return sendProblem(c, 400, errors.map((e) => e.message).join("; "), errors);
}

/** How a confirm answer tells the caller to go on. */
const CONFIRM_HOW = "repeat the same request (same policy and context) with confirm_token before expires_at; a token works once";

/**
 * Decides one request: redeem its token, decide (or dry-run), record, reserve, answer.
 * @example const answer = await decideRequest(deps, c, body) // DecisionResponse
 */
async function decideRequest(deps: ServerDeps, c: Ctx, request: DecisionRequest): Promise<DecisionResponse | Response> {
  const { guardian, dryRun } = deps.runtime.current;
  const ids = policyIds(c, guardian, request.policy);
  if (ids instanceof Response) return ids;
  const ctx = toGuardContext(request.context);
  ctx.now = Date.now();
  const dry = request.dry_run === true;
  const subject = { caller: c.get("caller").id, policy: request.policy, context: request.context as JsonValue };
  let rejected: string | undefined;
  if (request.confirm_token !== undefined && !dry) {
    const check = await deps.confirmations.redeem(request.confirm_token, subject);
    if (check.ok) ctx.confirm = check.policies;
    else rejected = check.rejection;
  }
  const log = deps.log;
  let decision: Decision;
  if (!dry && log?.required === true && !log.accepting()) decision = unrecordable(log);
  else {
    const decided = request.approval === undefined || dry ? await (dry ? dryRun : guardian).decideNow(ctx, ids) : undefined;
    // A person's approval, bound to this caller and this very call: taken once when approved, else the request to wait on.
    if (!dry && (decided === undefined || decided.kind === "approval")) {
      const call = { ...ctx, ...(request.approval === undefined ? {} : { approval: request.approval }) };
      const binding = { via: "decision-api", caller: subject.caller, policy: subject.policy ?? null, context: subject.context };
      decision = await guardian.approvals.decide(call, { policies: ids, binding, decided });
    } else decision = decided as Decision;
  }
  const id = await deps.reservations.hold(c.get("caller"), decision, dry ? undefined : reservedBy(guardian, decision, ctx, ids));
  if (!dry) log?.record(decision, ctx, nonceOf(id), ids ?? "*");
  const body = decisionBody(id, decision, dry);
  if (decision.outcome !== "confirm" || decision.policyId === undefined || decision.approval !== undefined)
    return rejected === undefined ? body : { ...body, confirm: { rejected, how: CONFIRM_HOW } };
  if (dry) return { ...body, confirm: { how: "a dry run issues no token; decide without dry_run to get one" } };
  const confirmed: readonly string[] = Array.isArray(ctx.confirm) ? ctx.confirm : [];
  const issued = deps.confirmations.issue(subject, [...new Set([...confirmed, decision.policyId])]);
  return {
    ...body,
    confirm: {
      token: issued.token,
      expires_at: new Date(issued.expiresAt).toISOString(),
      ...(rejected === undefined ? {} : { rejected }),
      how: CONFIRM_HOW,
    },
  };
}

/**
 * Adds the deciding routes to `app`.
 * @example decisionRoutes(app, deps)
 */
export function decisionRoutes(app: Hono<ServerEnv>, deps: ServerDeps): void {
  const { metrics } = deps;
  app.post("/v1/decisions", async function decisions(c) {
    const parsed = await readBody(c, DecisionRequestSchema, plainDecisionRequest);
    if (!parsed.ok) return parsed.response;
    const stop = metrics.latency.startTimer();
    const answer = await decideRequest(deps, c, parsed.value);
    stop();
    if (answer instanceof Response) return answer;
    metrics.decisions.inc({ policy: answer.policy ?? "", outcome: answer.outcome });
    return c.json(answer);
  });

  app.post("/v1/explain", async function explain(c) {
    const parsed = await readBody(c, ExplainRequestSchema);
    if (!parsed.ok) return parsed.response;
    const { dryRun } = deps.runtime.current;
    const ids = policyIds(c, dryRun, parsed.value.policy);
    if (ids instanceof Response) return ids;
    const decision = await dryRun.decideNow(toGuardContext(parsed.value.context), ids);
    const rules = decision
      .explain()
      .map((e) => ({ policy: e.rule.policyId, index: e.rule.index, summary: e.rule.summary, applied: e.applied, why: e.why }));
    return c.json({ decision: decisionBody(deps.ids.issue(false), decision, true), rules });
  });

  app.post("/v1/decisions/:id/settle", async function settle(c) {
    const parsed = await readBody(c, SettleRequestSchema);
    if (!parsed.ok) return parsed.response;
    const id = c.req.param("id");
    const found = await deps.reservations.find(id, c.get("caller"));
    if (found.kind === "unknown")
      return sendProblem(
        c,
        404,
        "no decision with this id (ids come from POST /v1/decisions and are checked with this server's HEXARCH_SECRET)",
      );
    if (found.kind === "not-yours") return sendProblem(c, 403, NOT_YOURS);
    const { cost: given, usage } = parsed.value;
    if (found.kind !== "held") return c.json({ id, settled: false, result: found.kind, cost: given ?? null });
    const { held } = found;
    const cost = given ?? usageCost(deps.runtime.current.guardian, held.model, usage ?? {});
    if (cost instanceof Error) return sendProblem(c, 400, cost.message, [{ path: "usage", message: cost.message }]);
    const result = await deps.reservations.settle(held, cost);
    if (result === "already-settled") return sendProblem(c, 409, "this decision was settled already; a decision settles once");
    deps.log?.recordSettlement(held.nonce, held.ops[0]?.policy, cost);
    return c.json({ id, settled: true, result, cost });
  });
}
