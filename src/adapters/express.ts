// Express adapter: `app.use(hexarch())` applies every policy, `guard(id)` one policy to one route.
import type { NextFunction, Request, RequestHandler, Response } from "express";
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
  type Guarded,
  type GuardianChoice,
  type GuardSetup,
  type HttpGuardOptions,
  type OnDenied,
  type Refusal,
} from "./core/index.js";
import { ExpressRequestView } from "./express/request-view.js";

/** What a custom refusal handler (`onDenied`) receives. */
export interface DeniedRequest {
  readonly decision: Decision;
  /** The answer hexarch would send: status, headers (already set on `res`), problem body. */
  readonly answer: Refusal;
  readonly req: Request;
  readonly res: Response;
  readonly next: NextFunction;
}

/** Options of `guard()` (and of `hexarch()`, which adds the guardian options). */
export interface ExpressGuardOptions extends HttpGuardOptions<Request> {
  /** The guardian to use. Default: the one of the first `hexarch()`, else one created from the discovered policy file. */
  readonly guardian?: Guardian;
  /** Answers refused requests instead of the problem+json response. Default: hexarch's answer. */
  readonly onDenied?: OnDenied<DeniedRequest>;
}

/** Options of `hexarch()`: guard options plus, when no `guardian` is given, the options to create one. */
export type HexarchOptions = ExpressGuardOptions & GuardianChoice;

/** The `hexarch()` middleware, with its guardian and a `guard()` (sharing its guardian and options) bound to it. */
export type HexarchMiddleware = BoundHexarch<ExpressGuardOptions, RequestHandler>;

const ADAPTER = "express";
const ADAPTER_SPEC = { onDenied: ["function"] } as const;

function middleware(setup: GuardSetup<ExpressGuardOptions>, policies: readonly string[] | undefined): RequestHandler {
  const run = createHttpGuard<Request>({ guardian: setup.guardian, policies, options: setup.options });
  const writeHeaders = headerWriter(setup.options.headers, WIRE_NAMES);
  const { onDenied } = setup.options;

  const respond = (answer: GuardAnswer | undefined, ledger: RequestLedger, req: Request, res: Response, next: NextFunction): void => {
    if (answer === undefined) return next();
    if (answer.proceed) {
      writeHeaders(res, answer.decision);
      ledger.watchEnd(res);
      return next();
    }
    setAnswerHeaders(res, answer.headers);
    if (onDenied !== undefined) {
      const handled = onDenied({ decision: answer.decision, answer, req, res, next });
      // Express 4 does not catch a promise a middleware returns: a handler's rejection goes to the error handlers.
      if (handled instanceof Promise) handled.catch(next);
      return;
    }
    res.statusCode = answer.status;
    res.end(JSON.stringify(answer.body));
  };

  return function hexarchGuard(req: Request, res: Response, next: NextFunction): void {
    const ledger = (res.locals.hexarch as RequestLedger | undefined) ?? (res.locals.hexarch = new RequestLedger());
    let answer: Guarded | undefined;
    try {
      answer = run(req, new ExpressRequestView(req), ledger);
    } catch (error) {
      return next(error);
    }
    if (answer instanceof Promise) answer.then((value) => respond(value, ledger, req, res, next), next);
    else respond(answer, ledger, req, res, next);
  };
}

const entries = adapterEntries<ExpressGuardOptions, RequestHandler>(ADAPTER, ADAPTER_SPEC, middleware);

/**
 * Applies every enabled policy whose rules match each request. Loads and validates the policy file now: a broken
 * file or a bad option throws PolicyConfigError at start-up, never per request. The handler never runs unless the
 * decision is allow or warn. The first `hexarch()` becomes the guardian of bare `guard()` calls.
 * @example
 * app.use(express.json());
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
 * app.delete("/users/:id", guard("safe_delete"), deleteUser);
 * app.post("/chat", guard("api_budget", { resource: "openai", cost: (req) => estimate(req.body) }), chat);
 */
export function guard(policyId: string | readonly string[], options?: ExpressGuardOptions): RequestHandler {
  return entries.guard(policyId, options);
}

export type { OnDenied, RequestHandle } from "./core/index.js";
export type { HexarchLocals } from "./express-locals.js";
