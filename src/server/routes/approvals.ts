// GET /v1/approvals and POST /v1/approvals/{id}/approve|deny: a person decides approval requests with an approve key.
import type { Hono } from "hono";
import { ApprovalDecisionError } from "../../guardian/approvals/guardian-approvals.js";
import { readBody, sendProblem } from "../respond.js";
import { ApproveRequestSchema, DenyRequestSchema } from "../schemas.js";
import type { Ctx, ServerDeps, ServerEnv } from "../server-deps.js";

/** The answer for a decision the desk refused: 404 for an unknown request, 409 for one no longer pending. */
function refused(c: Ctx, error: unknown): Response {
  if (!(error instanceof ApprovalDecisionError)) throw error;
  return sendProblem(c, error.code === "HEXARCH_APPROVAL_UNKNOWN" ? 404 : 409, error.message);
}

/** Who decided, as recorded: the name given and the key that gave it, or the key's name alone. */
export function decidedBy(given: string | undefined, keyName: string): string {
  return given === undefined ? keyName : `${given} (key ${keyName})`;
}

/**
 * Adds the approval routes to `app` (the approve scope is checked in app.ts).
 * @example approvalRoutes(app, deps)
 */
export function approvalRoutes(app: Hono<ServerEnv>, deps: ServerDeps): void {
  const approvals = () => deps.runtime.current.guardian.approvals;

  app.get("/v1/approvals", async function listApprovals(c) {
    return c.json({ approvals: await approvals().list() });
  });

  app.get("/v1/approvals/:id", async function showApproval(c) {
    const found = await approvals().get(c.req.param("id"));
    return found === undefined ? sendProblem(c, 404, "no approval request with this id") : c.json(found);
  });

  app.post("/v1/approvals/:id/approve", async function approve(c) {
    const parsed = await readBody(c, ApproveRequestSchema);
    if (!parsed.ok) return parsed.response;
    const by = decidedBy(parsed.value.by, c.get("caller").name);
    try {
      return c.json(await approvals().approve(c.req.param("id"), { by }));
    } catch (error) {
      return refused(c, error);
    }
  });

  app.post("/v1/approvals/:id/deny", async function deny(c) {
    const parsed = await readBody(c, DenyRequestSchema);
    if (!parsed.ok) return parsed.response;
    const by = decidedBy(parsed.value.by, c.get("caller").name);
    try {
      return c.json(await approvals().deny(c.req.param("id"), { by, reason: parsed.value.reason }));
    } catch (error) {
      return refused(c, error);
    }
  });
}
