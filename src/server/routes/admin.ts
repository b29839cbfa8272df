// GET /v1/policies[/{id}], GET /v1/decisions (read back from the decision log) and GET /metrics.
import type { Hono } from "hono";
import type { CompiledPolicy } from "../../engine/compile/policy-set.js";
import { recordMatcher } from "../../log/query.js";
import { lastRecords } from "../log-records.js";
import { sendProblem } from "../respond.js";
import type { ServerDeps, ServerEnv } from "../server-deps.js";

function describePolicy(policy: CompiledPolicy): Record<string, unknown> {
  return {
    id: policy.id,
    description: policy.description ?? null,
    enabled: policy.enabled,
    mode: policy.mode ?? null,
    fail: policy.fail,
    rules: policy.rules.map(({ rule }) => ({ index: rule.ref.index, summary: rule.ref.summary, action: rule.action })),
  };
}

const OUTCOMES = new Set(["allow", "warn", "confirm", "limit", "deny", "error"]);
const MAX_RECORDS = 1000;

/**
 * Adds the reading routes to `app`.
 * @example adminRoutes(app, deps)
 */
export function adminRoutes(app: Hono<ServerEnv>, deps: ServerDeps): void {
  app.get("/v1/policies", function policies(c) {
    return c.json({ policies: [...deps.runtime.current.guardian.policies.policies.values()].map(describePolicy) });
  });

  app.get("/v1/policies/:id", function policy(c) {
    const found = deps.runtime.current.guardian.policies.policies.get(c.req.param("id"));
    return found === undefined ? sendProblem(c, 404, `no policy with id "${c.req.param("id")}"`) : c.json(describePolicy(found));
  });

  app.get("/v1/decisions", async function decisions(c) {
    const query = c.req.query();
    const unknown = Object.keys(query).filter((name) => !["policy", "outcome", "since", "until", "limit"].includes(name));
    if (unknown.length > 0)
      return sendProblem(
        c,
        400,
        `unknown query parameter ${unknown.join(", ")}`,
        unknown.map((name) => ({ path: `query.${name}`, message: "unknown parameter" })),
      );
    const since = query["since"] === undefined ? undefined : Date.parse(query["since"]);
    const until = query["until"] === undefined ? undefined : Date.parse(query["until"]);
    const limit = query["limit"] === undefined ? 100 : Number(query["limit"]);
    const errors = [
      ...(since !== undefined && Number.isNaN(since)
        ? [{ path: "query.since", message: "an ISO 8601 instant, e.g. 2026-12-03T08:00:00Z" }]
        : []),
      ...(until !== undefined && Number.isNaN(until) ? [{ path: "query.until", message: "an ISO 8601 instant" }] : []),
      ...(query["outcome"] !== undefined && !OUTCOMES.has(query["outcome"])
        ? [{ path: "query.outcome", message: "allow, warn, confirm, limit, deny or error" }]
        : []),
      ...(!Number.isInteger(limit) || limit < 1 || limit > MAX_RECORDS
        ? [{ path: "query.limit", message: `a whole number from 1 to ${MAX_RECORDS}` }]
        : []),
    ];
    if (errors.length > 0) return sendProblem(c, 400, errors.map((e) => `${e.path}: ${e.message}`).join("; "), errors);
    const matches = recordMatcher(
      { policy: query["policy"], outcome: query["outcome"], since, until, kind: undefined, client: undefined, user: undefined },
      deps.logKey,
    );
    const found = await lastRecords(deps, matches, limit);
    if (found === undefined) return sendProblem(c, 404, "this server keeps no decision log: add a logging: section to the policy file");
    return c.json({ decisions: found });
  });

  app.get("/metrics", async function metrics(c) {
    return c.body(await deps.metrics.registry.metrics(), 200, { "Content-Type": deps.metrics.registry.contentType });
  });
}
