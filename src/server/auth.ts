// Who may call: a bearer API key (or the dev token) with the route's scope, and at most the server's own limit per key.
import type { MiddlewareHandler } from "hono";
import type { Caller, Scope } from "./api-keys.js";
import { sendProblem } from "./respond.js";
import type { ServerDeps, ServerEnv } from "./server-deps.js";

/** The caller of an open server (the loopback default, never given a key): everyone is one caller with every scope. */
const OPEN_CALLER: Caller = Object.freeze({ id: "open", name: "no keys configured", scopes: ["decide", "admin"] as const });

/** A Host header naming this machine's loopback: `localhost`, `127.x.x.x` or `[::1]`, with or without a port. */
const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d{1,5})?$/i;

/** The bearer token of a request: `Authorization: Bearer …`, or `X-API-Key` as the seed's clients send it. */
function presented(header: string | undefined, apiKey: string | undefined): string | undefined {
  if (header !== undefined && /^bearer /i.test(header)) return header.slice(7).trim();
  return apiKey?.trim();
}

/**
 * Requires a key with `scope` (admin covers decide) unless the server is open (KeyAccess), then counts the call against the
 * server's own per-key limit: 401 without a valid key, 403 without the scope (or, on an open server, for a Host that is
 * not a loopback name), 429 over the limit.
 * @example app.use("/v1/*", requireScope(deps, "decide"))
 */
export function requireScope(deps: ServerDeps, scope: Scope): MiddlewareHandler<ServerEnv> {
  return async function authorizeCaller(c, next) {
    // A route under a narrower scope (/v1/approvals under approve) was authorized by its own middleware already.
    if (c.get("caller") !== undefined) return next();
    let caller = OPEN_CALLER;
    const host = c.req.header("host");
    // An open server trusts whoever reaches it on loopback; a page from another site that rebinds its name to 127.0.0.1
    // reaches it too, but its requests still name that site as Host.
    if (!deps.keys.required && host !== undefined && !LOOPBACK_HOST.test(host))
      return sendProblem(c, 403, `this server needs no API key, so it answers only requests addressed to localhost, not to ${host}`);
    if (deps.keys.required) {
      const token = presented(c.req.header("authorization"), c.req.header("x-api-key"));
      const challenge = { "WWW-Authenticate": 'Bearer realm="hexarch"' };
      if (token === undefined || token === "")
        return sendProblem(c, 401, "send an API key: Authorization: Bearer hxk_…", undefined, challenge);
      const found = deps.keys.current.identify(token);
      if (found === undefined) return sendProblem(c, 401, "the API key is wrong or revoked", undefined, challenge);
      if (!found.scopes.includes(scope) && !found.scopes.includes("admin"))
        return sendProblem(c, 403, `this key lacks the ${scope} scope (it has ${found.scopes.join(", ")})`);
      caller = found;
    }
    // A person's approval is never given by whoever reaches an open server, nor by the dev token an app decides with.
    if (scope === "approve" && (caller === OPEN_CALLER || caller.id === "dev-token"))
      return sendProblem(
        c,
        403,
        "approving needs an API key of its own with the approve (or admin) scope: hexarch keys create --scope approve --name <person>",
      );
    c.set("caller", caller);
    if (deps.callerLimit !== undefined) {
      const decision = await deps.callerLimit.decideNow({ apiKey: caller.id });
      if (decision.isDenied()) {
        const retry = String(decision.retryAfter ?? 1);
        return sendProblem(
          c,
          429,
          `this key made more calls than the server allows (${decision.rule?.summary ?? "limit"}); retry after ${retry} s`,
          undefined,
          { "Retry-After": retry },
        );
      }
    }
    await next();
  };
}
