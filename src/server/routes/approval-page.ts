// GET /approvals/{id} (the page a person decides on), its Approve and Deny posts, and its sign-in and sign-out.
import type { Hono } from "hono";
import { APPROVAL_ID } from "../../guardian/approvals/approval-record.js";
import { ApprovalDecisionError, type ApprovalDetails } from "../../guardian/approvals/guardian-approvals.js";
import { approvalPage, approvalNoticePage, approvalSignInPage, type PageAccess } from "../approval-page/page.js";
import { formFields, isHttps, sameOrigin, sendPage } from "../html.js";
import { APPROVALS_SESSION, PageSessions } from "../page-sessions.js";
import type { Ctx, ServerDeps, ServerEnv } from "../server-deps.js";
import { decidedBy } from "./approvals.js";

/** The longest key (an API key or a link key) a form may carry. */
const MAX_KEY = 256;

/**
 * Adds the approval page to `app`. A person reaches a request's page signed in with an `approve` or `admin` key (a
 * session cookie: HttpOnly, SameSite=Strict, 8 hours, sent only under /approvals) or through the link sent to the
 * `notify:` targets, whose key opens that one request while it is pending: once it is decided the link opens nothing.
 * Every post must come from this server's own page (Origin or Sec-Fetch-Site), and a link's post carries the link key.
 * The page runs no script. The caller that was refused never holds a key: its `approval.url` has none.
 * @example approvalPageRoutes(app, deps)
 */
export function approvalPageRoutes(app: Hono<ServerEnv>, deps: ServerDeps): void {
  const sessions = new PageSessions(APPROVALS_SESSION);
  const approvals = () => deps.runtime.current.guardian.approvals;

  /** How the request reaches `id`: a session, the link key of this pending request, or not at all. */
  const accessOf = async (c: Ctx, id: string, key: string | undefined): Promise<PageAccess | undefined> => {
    const caller = sessions.open(c.req.header("cookie"), deps.keys.current, Date.now());
    if (caller !== undefined) return { signedInAs: caller.name };
    if (key !== undefined && key.length <= MAX_KEY && (await approvals().linkOpens(id, key))) return { linkKey: key };
    return undefined;
  };

  const signIn = (c: Ctx, id: string, problem: string | undefined, status: 401 | 403 = 401) => {
    const noKeys = deps.keys.required
      ? undefined
      : "This server has no API keys: create one with hexarch keys create --scope approve --name <you>, or open the link sent to the notification targets.";
    return sendPage(c, status, (nonce) => approvalSignInPage(nonce, id, problem ?? noKeys));
  };

  const unknown = (c: Ctx) =>
    sendPage(c, 404, (nonce) => approvalNoticePage(nonce, "No approval request with this id (or it is long past its time)."));

  app.get("/approvals/:id", async function approvalPageOf(c) {
    const id = c.req.param("id");
    if (!APPROVAL_ID.test(id)) return unknown(c);
    const key = c.req.query("key");
    const access = await accessOf(c, id, key);
    if (access === undefined)
      return signIn(
        c,
        id,
        key === undefined
          ? undefined
          : "This link opens nothing now: the request was decided or is past its time, or the link is not whole. Sign in to see it.",
      );
    const found = await approvals().get(id);
    if (found === undefined) return unknown(c);
    return sendPage(c, 200, (nonce) => approvalPage(found, access, nonce));
  });

  /** Approve or deny from the page: the person's access, the form's fields, then the desk's verdict shown on the page. */
  const decide = (verb: "approve" | "deny") =>
    async function decideFromPage(c: Ctx): Promise<Response> {
      if (!sameOrigin(c))
        return sendPage(c, 403, (nonce) =>
          approvalNoticePage(nonce, "Decide from this server's own approval page (the form's Origin must be this server)."),
        );
      const id = c.req.param("id") ?? "";
      if (!APPROVAL_ID.test(id)) return unknown(c);
      const form = await formFields(c);
      const access = await accessOf(c, id, form["key"]);
      if (access === undefined)
        return signIn(c, id, "Sign in again, or open the link from the notification: this page's access has ended.");
      const given = form["by"]?.trim() || undefined;
      if ("linkKey" in access && given === undefined) return show(c, id, access, "Say who you are: the decision log records it.");
      const by = "linkKey" in access ? `${given} (signed link)` : decidedBy(given, access.signedInAs);
      const reason = form["reason"]?.trim() ?? "";
      if (verb === "deny" && reason === "") return show(c, id, access, "Say why you deny it: the caller is told.");
      try {
        const decided = verb === "approve" ? await approvals().approve(id, { by }) : await approvals().deny(id, { by, reason });
        return sendPage(c, 200, (nonce) =>
          approvalPage(decided, access, nonce, verb === "approve" ? "You approved this request." : "You denied this request."),
        );
      } catch (error) {
        if (!(error instanceof ApprovalDecisionError)) throw error;
        return error.code === "HEXARCH_APPROVAL_UNKNOWN" ? unknown(c) : show(c, id, access, error.message, 409);
      }
    };

  /** The page of `id` with a notice on top (a form problem, or a decision that came too late). */
  const show = async (c: Ctx, id: string, access: PageAccess, notice: string, status: 200 | 409 = 200): Promise<Response> => {
    const found: ApprovalDetails | undefined = await approvals().get(id);
    if (found === undefined) return unknown(c);
    return sendPage(c, status, (nonce) => approvalPage(found, access, nonce, notice));
  };

  app.post("/approvals/:id/approve", decide("approve"));
  app.post("/approvals/:id/deny", decide("deny"));

  app.post("/approvals/sign-in", async function approvalSignIn(c) {
    if (!sameOrigin(c)) return sendPage(c, 403, (nonce) => approvalNoticePage(nonce, "Sign in from this server's own approval page."));
    const form = await formFields(c, MAX_KEY);
    const id = form["id"] ?? "";
    if (!APPROVAL_ID.test(id)) return unknown(c);
    const caller = form["key"] === undefined ? undefined : deps.keys.current.identify(form["key"].trim());
    if (caller === undefined) return signIn(c, id, "That key is wrong or revoked.");
    if (!sessions.may(caller)) return signIn(c, id, "That key cannot approve: it needs the approve (or admin) scope.", 403);
    c.header("Set-Cookie", sessions.cookie(caller, Date.now(), isHttps(c)));
    return c.redirect(`/approvals/${id}`, 303);
  });

  app.post("/approvals/sign-out", function approvalSignOut(c) {
    if (!sameOrigin(c)) return sendPage(c, 403, (nonce) => approvalNoticePage(nonce, "Sign out from this server's own approval page."));
    c.header("Set-Cookie", sessions.cleared(isHttps(c)));
    return sendPage(c, 200, (nonce) => approvalNoticePage(nonce, "Signed out."));
  });
}
