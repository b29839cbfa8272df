// POST /v1/events/provider-calls and POST /authorize: the seed's two endpoints, on the same engine and counters.
import type { Hono } from "hono";
import type { GuardContext } from "../../engine/context.js";
import { Decision } from "../../engine/decision.js";
import { readBody, sendProblem } from "../respond.js";
import { chargesFor, reservedBy } from "../reservation-id.js";
import { NOT_YOURS, nonceOf } from "../reservations.js";
import { AuthorizeRequestSchema, ContextSchema, ProviderCallSchema, type AuthorizeRequest, type ProviderCall } from "../schemas.js";
import { fieldErrors, type FieldError } from "../problem.js";
import type { Ctx, ServerDeps, ServerEnv } from "../server-deps.js";
import { toGuardContext } from "../../engine/wire-context.js";

/** One line saying what a provider call was, for the log's reason field. */
function describeCall(event: ProviderCall): string {
  const tokens =
    event.input_tokens === undefined && event.output_tokens === undefined
      ? ""
      : ` ${event.input_tokens ?? 0} in/${event.output_tokens ?? 0} out,`;
  const status = event.ok === false ? " failed" : "";
  return `provider call ${event.provider}${event.model === undefined ? "" : ` ${event.model}`}:${tokens} cost ${event.cost}${event.latency_ms === undefined ? "" : `, ${event.latency_ms} ms`}${status}`;
}

const CONTEXT_FIELDS = new Set([
  "user",
  "roles",
  "environment",
  "client",
  "cost",
  "route",
  "method",
  "feature",
  "resource_type",
  "api_key",
  "operation",
]);

/**
 * The hexarch context for the seed's `{ action, resource, context }`: action → operation, a resource name →
 * resource (an object gives `name` or `id`, and `type` → resource_type), the context's known fields as they are
 * named here, and every other scalar as a fact.
 * A context field of the wrong type is a problem naming `context.<field>`.
 * @example
 * authorizeContext({ action: "delete", resource: { type: "table", name: "users" }, context: { user: "ana", backup_verified: true } })
 */
export function authorizeContext(request: AuthorizeRequest): { context: GuardContext } | { errors: FieldError[] } {
  const wire: Record<string, unknown> = { operation: request.action };
  const facts: Record<string, string | number | boolean | null> = {};
  const resource = request.resource;
  if (typeof resource === "string") wire["resource"] = resource;
  else if (resource !== undefined) {
    const name = resource["name"] ?? resource["id"];
    if (typeof name === "string") wire["resource"] = name;
    if (typeof resource["type"] === "string") wire["resource_type"] = resource["type"];
  }
  for (const [key, value] of Object.entries(request.context ?? {})) {
    if (CONTEXT_FIELDS.has(key)) wire[key] = value;
    else if (value === null || ["string", "number", "boolean"].includes(typeof value))
      facts[key] = value as string | number | boolean | null;
  }
  if (Object.keys(facts).length > 0) wire["facts"] = facts;
  const checked = ContextSchema.safeParse(wire);
  if (!checked.success) return { errors: fieldErrors(checked.error).map((e) => ({ ...e, path: `context.${e.path}` })) };
  return { context: toGuardContext(checked.data) };
}

/**
 * Adds the seed's endpoints to `app`.
 * @example eventRoutes(app, deps)
 */
export function eventRoutes(app: Hono<ServerEnv>, deps: ServerDeps): void {
  const providerCall = async function providerCall(c: Ctx): Promise<Response> {
    const parsed = await readBody(c, ProviderCallSchema);
    if (!parsed.ok) return parsed.response;
    const event = parsed.value;
    if (event.decision_id !== undefined) {
      const found = await deps.reservations.find(event.decision_id, c.get("caller"));
      if (found.kind === "unknown") return sendProblem(c, 404, "decision_id names no decision this server issued");
      if (found.kind === "not-yours") return sendProblem(c, 403, NOT_YOURS);
      if (found.kind !== "held") return c.json({ charged: false, result: found.kind });
      const result = await deps.reservations.settle(found.held, event.cost);
      if (result === "settled") deps.log?.recordSettlement(found.held.nonce, found.held.ops[0]?.policy, event.cost);
      return c.json({ charged: result === "settled", result });
    }
    const { guardian } = deps.runtime.current;
    if (event.policy !== undefined && !guardian.policies.policies.has(event.policy))
      return sendProblem(c, 400, `no policy with id "${event.policy}"`, [{ path: "policy", message: "unknown policy" }]);
    const ctx = { ...toGuardContext(event.context ?? {}), cost: event.cost, now: Date.now() };
    if (ctx.resource === undefined) ctx.resource = event.provider;
    const ids = event.policy === undefined ? undefined : [event.policy];
    // The call already happened: its cost is added to every budget it falls under, whatever they hold.
    const ops = chargesFor(guardian, ctx, ids, event.cost);
    if (ops.length > 0) await deps.store.consume(ops);
    const id = deps.ids.issue(false);
    // Asked of no policy: a charge for a call made already, not a decision (a replay finds nothing to decide again).
    deps.log?.record(new Decision({ outcome: "allow", reason: describeCall(event) }), ctx, id, []);
    return c.json({ id, charged: ops.length > 0, budgets: ops.length });
  };
  app.post("/v1/events/provider-calls", providerCall);
  app.post("/events/provider-calls", providerCall);

  /** The seed's answer has no room for a token: a confirmation is DENY here, and goes through /v1/decisions. */
  const AUTHORIZE_CONFIRM_HOW =
    "/authorize answers DENY to a call that needs confirmation and issues no token: send the same call to POST /v1/decisions, whose confirm answer carries a confirm_token to repeat it with";
  app.post("/authorize", async function authorize(c) {
    const parsed = await readBody(c, AuthorizeRequestSchema);
    if (!parsed.ok) return parsed.response;
    const { guardian } = deps.runtime.current;
    const mapped = authorizeContext(parsed.value);
    if ("errors" in mapped) return sendProblem(c, 400, mapped.errors.map((e) => `${e.path}: ${e.message}`).join("; "), mapped.errors);
    const ctx = { ...mapped.context, now: Date.now() };
    const decision = await guardian.decideNow(ctx);
    // Held like any decision's reservation, so the id settles it (POST /v1/decisions/{id}/settle or a provider-call event).
    const id = await deps.reservations.hold(c.get("caller"), decision, reservedBy(guardian, decision, ctx, undefined));
    deps.log?.record(decision, ctx, nonceOf(id), "*");
    deps.metrics.decisions.inc({ policy: decision.policyId ?? "", outcome: decision.outcome });
    const policies = [
      ...new Set(
        decision
          .explain()
          .filter((e) => e.applied)
          .map((e) => e.rule.policyId),
      ),
    ];
    return c.json({
      allowed: decision.isAllowed(),
      decision: decision.isAllowed() ? "ALLOW" : "DENY",
      reason: decision.reason,
      policies,
      id,
      outcome: decision.outcome,
      ...(decision.outcome === "confirm" ? { confirm: { how: AUTHORIZE_CONFIRM_HOW } } : {}),
    });
  });
}
