// Koa adapter: `app.use(hexarch())` applies every policy, `guard(id)` one policy to one route.
import type { Context, Middleware, Next } from "koa";
import { defineAdapter, RequestLedger, setAnswerHeaders, WIRE_NAMES, type AdapterOptions, type AdapterSpecOf } from "./core/index.js";
import { NodeRequestView } from "./core/node-request-view.js";
import type { BoundHexarch, GuardianChoice, RefusedRequest } from "./core/index.js";

/** What a custom refusal handler (`onDenied`) receives; the answer's headers are set on `ctx`, except Content-Type. */
export interface DeniedRequest extends RefusedRequest {
  readonly ctx: Context;
  readonly next: Next;
}

/** @deprecated The same type under the name every adapter uses: `DeniedRequest`. */
export type DeniedContext = DeniedRequest;

/**
 * Options of `guard()` (and of `hexarch()`, which adds the guardian options). `guardian` defaults to the
 * process-wide guardian (`processGuardian`); `onDenied` answers refused requests instead of the problem+json response.
 */
export type KoaGuardOptions = AdapterOptions<Context, DeniedRequest, void>;

/** Options of `hexarch()`: guard options plus, when no `guardian` is given, the options to create one. */
export type HexarchOptions = KoaGuardOptions & GuardianChoice;

/** The `hexarch()` middleware, with its guardian and a `guard()` (sharing its guardian and options) bound to it. */
export type HexarchMiddleware = BoundHexarch<KoaGuardOptions, Middleware>;

/**
 * A Koa context as the core reads it: the client is `ctx.ip` (so `app.proxy` decides about X-Forwarded-For; with
 * `proxy` off, the socket's address, read directly); the body is the one a body parser left. Carries `next`; the
 * ledger is `ctx.state.hexarch`.
 */
class KoaRequestView extends NodeRequestView<Context> {
  declare readonly next: Next;

  constructor(ctx: Context, next: Next) {
    const ledger = (ctx.state.hexarch as RequestLedger | undefined) ?? (ctx.state.hexarch = new RequestLedger());
    const { app } = ctx;
    const proxyTrust = !app.proxy ? "none" : app.maxIpsCount > 0 ? "some" : "all";
    super(ctx, ctx.req, ledger, ctx.originalUrl, !app.proxy || ctx.ip === "" ? undefined : ctx.ip, proxyTrust, app.proxyIpHeader);
    this.next = next;
  }

  body(): unknown {
    return (this.request.request as { body?: unknown }).body;
  }
}

const koa = defineAdapter<KoaGuardOptions, KoaRequestView, unknown, Middleware>({
  name: "koa",
  spec: { onDenied: ["function"] } satisfies AdapterSpecOf<KoaGuardOptions>,
  fieldNames: WIRE_NAMES,
  middleware: (guardRequest) =>
    function hexarchGuard(ctx, next) {
      return guardRequest(new KoaRequestView(ctx, next));
    },
  proceed({ request: ctx, ledger, next }, decision, writeHeaders) {
    if (decision !== undefined) {
      if (!ctx.res.headersSent) writeHeaders(ctx.res, decision);
      if (decision.reserved !== undefined) ledger.watchEnd(ctx.res);
    }
    return next();
  },
  refuse({ request: ctx, next }, answer, onDenied) {
    const { "Content-Type": contentType, ...policyHeaders } = answer.headers;
    setAnswerHeaders(ctx.res, policyHeaders);
    if (onDenied !== undefined) return onDenied({ decision: answer.decision, answer, ctx, next });
    ctx.status = answer.status;
    ctx.type = contentType as string;
    ctx.body = JSON.stringify(answer.body);
    return undefined;
  },
});

/**
 * Applies every enabled policy whose rules match each request. Loads and validates the policy file now: a broken
 * file or a bad option throws PolicyConfigError at start-up, never per request. Downstream middleware never runs
 * unless the decision is allow or warn. The client is `ctx.ip`, so `app.proxy` decides whether X-Forwarded-For
 * counts. Put a body parser first so a confirmation token also covers the request body. Without a guardian of its
 * own it uses the process-wide one (`processGuardian`), and fills it when it is empty.
 * @example
 * app.use(bodyParser());
 * app.use(hexarch());                                  // finds hexarch.yaml
 * app.use(hexarch({ policyFile: "config/hexarch.yaml", headers: { legacy: true } }));
 */
export const hexarch: (options?: HexarchOptions) => HexarchMiddleware = koa.hexarch;

/**
 * Applies one policy (or several) to the router's route. An unknown id throws PolicyConfigError when the route is
 * built, listing the known ids. A scope the request does not state counts as matching (`guard("safe_delete")`
 * covers any DELETE). The guardian is `processGuardian`'s, the options those of the first `hexarch()` on it.
 * @example
 * router.delete("/users/:id", guard("safe_delete"), deleteUser);
 * router.post("/chat", guard("api_budget", { resource: "openai", cost: (ctx) => estimate(ctx.request.body) }), chat);
 */
export const guard: (policyId: string | readonly string[], options?: KoaGuardOptions) => Middleware = koa.guard;

export type { OnDenied, RequestHandle } from "./core/index.js";
export type { HexarchState } from "./koa-locals.js";
