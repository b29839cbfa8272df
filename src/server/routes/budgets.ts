// GET /budgets (the page), GET /budgets/data (its JSON), POST /budgets/sign-in and /budgets/sign-out: for `view` or `admin` keys.
import type { Hono, MiddlewareHandler } from "hono";
import { budgetRows } from "../../engine/budget-rows.js";
import { recordMatcher, type DecisionEntry } from "../../log/query.js";
import { requireScope } from "../auth.js";
import { budgetsPage, signInPage, type BudgetsView } from "../budgets-page/page.js";
import { lastRecords } from "../log-records.js";
import { sendProblem } from "../respond.js";
import { formFields, isHttps, sameOrigin, sendPage } from "../html.js";
import { BUDGETS_SESSION, PageSessions } from "../page-sessions.js";
import type { ServerDeps, ServerEnv } from "../server-deps.js";

/** The counter prefix of the server's guardian (createGuardian's default). */
const PREFIX = "hexarch:";
/** Refusals the page lists, from the last day. */
const REFUSALS_SHOWN = 10;
const DAY_MS = 86_400_000;

/** An instant as wall time in `zone`, e.g. `2026-12-08 00:00 GMT+1`. */
function localTime(iso: string, zone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: zone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  }).formatToParts(new Date(iso));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")} ${part("hour")}:${part("minute")} ${part("timeZoneName")} (${zone})`;
}

/** What the page shows now: every budget and key of this period, and the budget refusals of the last day. */
async function budgetsView(deps: ServerDeps): Promise<BudgetsView> {
  const now = Date.now();
  const rows = await budgetRows(deps.runtime.current.guardian.policies, deps.store, PREFIX, now);
  const refused = recordMatcher({ outcome: "limit", kind: "budget", since: now - DAY_MS }, deps.logKey);
  const records = await lastRecords<DecisionEntry>(deps, refused, REFUSALS_SHOWN);
  return {
    at: new Date(now).toISOString(),
    budgets: rows.map((row) => ({ ...row, resetsLocal: localTime(row.periodEndsAt, row.timezone) })),
    refusals:
      records
        ?.map((r) => ({
          time: r.time,
          policy: r.policy ?? "",
          key: r.counters?.find((counter) => counter.kind === "budget")?.partition ?? "",
          reason: r.reason,
        }))
        .reverse() ?? null,
  };
}

/**
 * Adds the budgets page to `app`. A browser signs in once with a key (one password field) and gets a session cookie
 * (HttpOnly, SameSite=Strict, 8 hours); scripts may send the key as a bearer instead. An open loopback server needs no
 * sign-in, as for every route.
 * @example budgetRoutes(app, deps)
 */
export function budgetRoutes(app: Hono<ServerEnv>, deps: ServerDeps): void {
  const sessions = new PageSessions(BUDGETS_SESSION);
  const bearer = requireScope(deps, "view");

  const viewAccess: MiddlewareHandler<ServerEnv> = async function viewAccess(c, next) {
    if (!deps.keys.required) return bearer(c, next);
    const caller = sessions.open(c.req.header("cookie"), deps.keys.current, Date.now());
    if (caller !== undefined) {
      c.set("caller", caller);
      return next();
    }
    if (c.req.header("authorization") !== undefined || c.req.header("x-api-key") !== undefined) return bearer(c, next);
    if (c.req.path === "/budgets") {
      return sendPage(c, 401, (nonce) => signInPage(nonce));
    }
    return sendProblem(c, 401, "sign in at /budgets, or send an API key with the view scope: Authorization: Bearer hxk_…");
  };

  app.get("/budgets", viewAccess, async function budgets(c) {
    const view = await budgetsView(deps);
    return sendPage(c, 200, (nonce) => budgetsPage(view, nonce));
  });

  app.get("/budgets/data", viewAccess, async function budgetsData(c) {
    return c.json(await budgetsView(deps));
  });

  app.post("/budgets/sign-in", async function signIn(c) {
    if (!sameOrigin(c)) return sendProblem(c, 403, "sign in from the budgets page of this server (the form's Origin must be this server)");
    const key = (await formFields(c, 256))["key"];
    const caller = key === undefined ? undefined : deps.keys.current.identify(key.trim());
    if (caller === undefined || !sessions.may(caller)) {
      const problem = caller === undefined ? "That key is wrong or revoked." : "That key lacks the view scope.";
      return sendPage(c, caller === undefined ? 401 : 403, (nonce) => signInPage(nonce, problem));
    }
    c.header("Set-Cookie", sessions.cookie(caller, Date.now(), isHttps(c)));
    return c.redirect("/budgets", 303);
  });

  app.post("/budgets/sign-out", function signOut(c) {
    if (!sameOrigin(c)) return sendProblem(c, 403, "sign out from the budgets page of this server");
    c.header("Set-Cookie", sessions.cleared(isHttps(c)));
    return c.redirect("/budgets", 303);
  });
}
