// Express adapter: `app.use(hexarch())` applies every policy, `guard(id)` one policy to one route.
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { defineAdapter, RequestLedger, setAnswerHeaders, WIRE_NAMES } from "./core/index.js";
import type { AdapterOptions, AdapterSpecOf, BoundHexarch, GuardianChoice, RefusedRequest } from "./core/index.js";
import { NodeRequestView } from "./core/node-request-view.js";

/** What a custom refusal handler (`onDenied`) receives; the answer's headers are already set on `res`. */
export interface DeniedRequest extends RefusedRequest {
  readonly req: Request;
  readonly res: Response;
  readonly next: NextFunction;
}

/**
 * Options of `guard()` (and of `hexarch()`, which adds the guardian options). `guardian` defaults to the
 * process-wide guardian (`processGuardian`); `onDenied` answers refused requests instead of the problem+json response.
 */
export type ExpressGuardOptions = AdapterOptions<Request, DeniedRequest, void>;

/**
 * An Express request as the core reads it: the client is `req.ip` (so `trust proxy` decides about X-Forwarded-For;
 * with it off, the socket's address, read directly to skip proxy parsing). Carries the response and `next` the answer
 * goes through; the ledger is `res.locals.hexarch`.
 */
class ExpressRequestView extends NodeRequestView<Request> {
  declare readonly res: Response;
  declare readonly next: NextFunction;

  constructor(req: Request, res: Response, next: NextFunction) {
    const ledger = (res.locals.hexarch as RequestLedger | undefined) ?? (res.locals.hexarch = new RequestLedger());
    // `trust proxy` as it was given (Express types app settings as `any`): `true` trusts every hop, `false` or unset none.
    const trust = (req.app?.settings as Record<string, unknown> | undefined)?.["trust proxy"];
    const proxyTrust = trust === true ? "all" : trust === false || trust === undefined ? "none" : "some";
    super(req, req, ledger, req.originalUrl, trust === false ? undefined : req.ip, proxyTrust, "x-forwarded-for");
    this.res = res;
    this.next = next;
  }

  body(): unknown {
    return this.request.body as unknown;
  }
}

const express = defineAdapter<ExpressGuardOptions, ExpressRequestView, void, RequestHandler>({
  name: "express",
  spec: { onDenied: ["function"] } satisfies AdapterSpecOf<ExpressGuardOptions>,
  fieldNames: WIRE_NAMES,
  middleware: (guardRequest) =>
    function hexarchGuard(req, res, next) {
      void guardRequest(new ExpressRequestView(req, res, next));
    },
  proceed(view, decision, writeHeaders) {
    if (decision !== undefined) {
      writeHeaders(view.res, decision);
      if (decision.reserved !== undefined) view.ledger.watchEnd(view.res);
    }
    view.next();
  },
  refuse({ request, res, next }, answer, onDenied) {
    setAnswerHeaders(res, answer.headers);
    if (onDenied === undefined) {
      res.statusCode = answer.status;
      res.end(JSON.stringify(answer.body));
      return;
    }
    const handled = onDenied({ decision: answer.decision, answer, req: request, res, next });
    // Express 4 does not catch a promise a middleware returns: a handler's rejection goes to the error handlers.
    if (handled instanceof Promise) handled.catch(next);
  },
  fail: (view, error) => view.next(error),
});

/** Options of `hexarch()`: guard options plus, when no `guardian` is given, the options to create one. */
export type HexarchOptions = ExpressGuardOptions & GuardianChoice;

/** The `hexarch()` middleware, with its guardian and a `guard()` (sharing its guardian and options) bound to it. */
export type HexarchMiddleware = BoundHexarch<ExpressGuardOptions, RequestHandler>;

/**
 * Applies every enabled policy whose rules match each request. Loads and validates the policy file now: a broken
 * file or a bad option throws PolicyConfigError at start-up, never per request. The handler never runs unless the
 * decision is allow or warn. Without a guardian of its own it uses the process-wide one (`processGuardian`), and
 * fills it when it is empty.
 * @example
 * app.use(express.json());
 * app.use(hexarch());                                  // finds hexarch.yaml
 * app.use(hexarch({ policyFile: "config/hexarch.yaml", headers: { legacy: true } }));
 */
export const hexarch: (options?: HexarchOptions) => HexarchMiddleware = express.hexarch;

/**
 * Applies one policy (or several) to one route; an unknown id throws PolicyConfigError at start-up listing the
 * known ids. Scopes the request does not state count as matching: `guard("safe_delete")` covers any DELETE.
 * Uses the process-wide guardian (`processGuardian`) with the options of the first `hexarch()` on it.
 * @example
 * app.delete("/users/:id", guard("safe_delete"), deleteUser);
 * app.post("/chat", guard("api_budget", { resource: "openai", cost: (req) => estimate(req.body) }), chat);
 */
export const guard: (policyId: string | readonly string[], options?: ExpressGuardOptions) => RequestHandler = express.guard;

export type { OnDenied, RequestHandle } from "./core/index.js";
export type { HexarchLocals } from "./express-locals.js";
