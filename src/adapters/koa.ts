// Koa adapter: `app.use(hexarch())` applies every policy, `guard(id)` one policy to one route.
import type { Context, Middleware, Next } from "koa";
import type { Decision } from "../engine/decision.js";
import type { Guardian } from "../guardian/create-guardian.js";
import { adapterEntries, type BoundHexarch } from "./core/adapter-entries.js";
import {
  createHttpGuard,
  headerWriter,
  RequestLedger,
  setAnswerHeaders,
  WIRE_NAMES,
  type GuardAnswer,
  type GuardianChoice,
  type GuardSetup,
  type HttpGuardOptions,
  type OnDenied,
  type Refusal,
} from "./core/index.js";
import { KoaRequestView } from "./koa/request-view.js";

/** What a custom refusal handler (`onDenied`) receives. */
export interface DeniedRequest {
  readonly decision: Decision;
  /** The answer hexarch would send: status, headers (set on `ctx` already, except Content-Type), problem body. */
  readonly answer: Refusal;
  readonly ctx: Context;
  readonly next: Next;
}

/** @deprecated The same type under the name every adapter uses: `DeniedRequest`. */
export type DeniedContext = DeniedRequest;

/** Options of `guard()` (and of `hexarch()`, which adds the guardian options). */
export interface KoaGuardOptions extends HttpGuardOptions<Context> {
  /** The guardian to use. Default: the one of the first `hexarch()`, else one created from the discovered policy file. */
  readonly guardian?: Guardian;
  /** Answers refused requests instead of the problem+json response. Default: hexarch's answer. */
  readonly onDenied?: OnDenied<DeniedRequest>;
}

/** Options of `hexarch()`: guard options plus, when no `guardian` is given, the options to create one. */
export type HexarchOptions = KoaGuardOptions & GuardianChoice;

/** The `hexarch()` middleware, with its guardian and a `guard()` (sharing its guardian and options) bound to it. */
export type HexarchMiddleware = BoundHexarch<KoaGuardOptions, Middleware>;

const ADAPTER = "koa";
const ADAPTER_SPEC = { onDenied: ["function"] } as const;

function middleware(setup: GuardSetup<KoaGuardOptions>, policies: readonly string[] | undefined): Middleware {
  const run = createHttpGuard<Context>({ guardian: setup.guardian, policies, options: setup.options });
  const writeHeaders = headerWriter(setup.options.headers, WIRE_NAMES);
  const { onDenied } = setup.options;

  const respond = (answer: GuardAnswer | undefined, ledger: RequestLedger, ctx: Context, next: Next): unknown => {
    if (answer === undefined) return next();
    if (answer.proceed) {
      if (!ctx.res.headersSent) writeHeaders(ctx.res, answer.decision);
      ledger.watchEnd(ctx.res);
      return next();
    }
    const { "Content-Type": contentType, ...policyHeaders } = answer.headers;
    setAnswerHeaders(ctx.res, policyHeaders);
    if (onDenied !== undefined) return onDenied({ decision: answer.decision, answer, ctx, next });
    ctx.status = answer.status;
    ctx.type = contentType as string;
    ctx.body = JSON.stringify(answer.body);
    return undefined;
  };

  return function hexarchGuard(ctx: Context, next: Next): unknown {
    const ledger = (ctx.state.hexarch as RequestLedger | undefined) ?? (ctx.state.hexarch = new RequestLedger());
    const answer = run(ctx, new KoaRequestView(ctx), ledger);
    return answer instanceof Promise ? answer.then((value) => respond(value, ledger, ctx, next)) : respond(answer, ledger, ctx, next);
  };
}

const entries = adapterEntries<KoaGuardOptions, Middleware>(ADAPTER, ADAPTER_SPEC, middleware);

/**
 * Applies every enabled policy whose rules match each request. Loads and validates the policy file now: a broken
 * file or a bad option throws PolicyConfigError at start-up, never per request. Downstream middleware never runs
 * unless the decision is allow or warn. The client is `ctx.ip`, so `app.proxy` decides whether X-Forwarded-For
 * counts. Put a body parser first so a confirmation token also covers the request body. The first `hexarch()`
 * becomes the guardian of bare `guard()` calls.
 * @example
 * app.use(bodyParser());
 * app.use(hexarch());                                  // finds hexarch.yaml
 * app.use(hexarch({ policyFile: "config/hexarch.yaml", headers: { legacy: true } }));
 */
export function hexarch(options?: HexarchOptions): HexarchMiddleware {
  return entries.hexarch(options);
}

/**
 * Applies one policy (or several) to one route. An unknown id throws PolicyConfigError at start-up listing the
 * known ids. Scopes the request does not state count as matching, so `guard("safe_delete")` covers any DELETE.
 * Uses the guardian of the first `hexarch()`, else one created from the discovered policy file.
 * @example
 * router.delete("/users/:id", guard("safe_delete"), deleteUser);
 * router.post("/chat", guard("api_budget", { resource: "openai", cost: (ctx) => estimate(ctx.request.body) }), chat);
 */
export function guard(policyId: string | readonly string[], options?: KoaGuardOptions): Middleware {
  return entries.guard(policyId, options);
}

export type { OnDenied, RequestHandle } from "./core/index.js";
export type { HexarchState } from "./koa-locals.js";
