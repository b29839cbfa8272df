// Next.js adapter: `withHexarch(handler, options)` guards App Router route handlers on the Node.js runtime.
import { defineAdapter, type RequestHandle } from "./core/index.js";
import { fetchAnswers, type FetchGuardOptions, type FetchVerdict } from "./fetch/fetch-guard.js";
import type { FetchRequestView } from "./fetch/request-view.js";
import { SILENT_LOGGER } from "../errors/warnings.js";
import { warnNoClientIdentity } from "./core/request-warnings.js";
import { edgeRuntimeError, onEdgeRuntime, routeLabel } from "./next/edge-runtime.js";

/** Options of `withHexarch()`: the Fetch guard's options. */
export type WithHexarchOptions = FetchGuardOptions;

/** What `withHexarch` adds to the route context the handler receives. */
export interface HexarchRouteContext {
  /** This request's decisions and `charge(actualCost)` to settle budgets with the real cost. */
  readonly hexarch: RequestHandle;
}

/** The context Next.js passes to a route handler when the handler does not say otherwise. */
export interface DefaultRouteContext {
  readonly params: Promise<Record<string, string | string[] | undefined>>;
}

/** The verdict on one request to a route, without a promise when nothing had to wait. */
type CheckRoute = (request: Request) => FetchVerdict | Promise<FetchVerdict>;

// Next sets X-Forwarded-For itself (to the socket's peer) on a direct request, so the header says nothing about a
// proxy here: no proxy warnings; without trustProxy or clientKey, HEXARCH_NEXT_NO_CLIENT is the warning that applies.
const answers = fetchAnswers(false);

const next = defineAdapter<FetchGuardOptions, FetchRequestView, FetchVerdict, CheckRoute>({
  ...answers,
  name: "next",
  noGuardianOptions: "would create a guardian per route, so routes would not share counters",
  checkOptions(options, label) {
    answers.checkOptions?.(options, label);
    if ((options.trustProxy ?? false) === false && options.clientKey === undefined)
      warnNoClientIdentity(options.logger ?? SILENT_LOGGER, label);
  },
  middleware(guardRequest, { options }) {
    const viewOf = answers.viewsFor(options);
    return (request) => guardRequest(viewOf(request));
  },
});

/**
 * Wraps an App Router route handler. The handler runs only when the decision is allow or warn, and receives the route
 * context plus `hexarch` (its decisions and `charge(actualCost)`); its response gets hexarch's RateLimit and budget
 * headers. Refusals answer 428/429/403/503 with a problem body, as in every adapter.
 *
 * Set-up happens here, at module scope, never per request: options are validated, the policy file is found (from
 * `HEXARCH_POLICY_FILE`, else `hexarch.yaml` walking up from the working directory) and validated once per server
 * process and shared by every route; a broken file throws PolicyConfigError here (and again, unchanged, for later
 * routes). Without `policy`, every policy whose rules match the request applies.
 *
 * Client identity: Next gives no socket address, so the client is the X-Forwarded-For address only when
 * `trustProxy` says the app sits behind proxies; else `clientKey(request)` when given; else every request shares one
 * client (`unknown-client`), so per-client limits act as one global limit.
 *
 * Node.js runtime only: on the Edge runtime this throws a PolicyConfigError asking for `runtime = "nodejs"`.
 * @example
 * // app/users/[id]/route.ts
 * export const DELETE = withHexarch(deleteUser, { policy: "safe_delete" });
 * // app/chat/route.ts
 * export const POST = withHexarch(
 *   async (request, { hexarch }) => {
 *     const reply = await model.chat(await request.json());
 *     await hexarch.charge(reply.cost);
 *     return Response.json(reply);
 *   },
 *   { policy: "api_budget", resource: "openai", cost: 0.05, trustProxy: 1 },
 * );
 */
export function withHexarch<Context = DefaultRouteContext, Req extends Request = Request>(
  handler: (request: Req, context: Context & HexarchRouteContext) => Response | Promise<Response>,
  options?: WithHexarchOptions,
): (request: Req, context: Context) => Response | Promise<Response> {
  const label = routeLabel(options?.policy);
  if (onEdgeRuntime()) throw edgeRuntimeError(label);
  const checkRoute = next.setUp(options, label);

  const proceed = (verdict: FetchVerdict, request: Req, context: Context): Response | Promise<Response> => {
    if (!verdict.proceed) return verdict.response;
    const response = handler(request, { ...context, hexarch: verdict.handle });
    return response instanceof Response ? verdict.finish(response) : Promise.resolve(response).then(verdict.finish);
  };

  // No async function: where nothing has to wait (memory store, no token, a handler answering at once), the
  // response comes back without a promise, which Next.js's async-context tracking makes costly per request.
  return function hexarchRoute(request: Req, context: Context): Response | Promise<Response> {
    try {
      const verdict = checkRoute(request);
      return verdict instanceof Promise ? verdict.then((value) => proceed(value, request, context)) : proceed(verdict, request, context);
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

export type { DeniedRequest, OnDenied, TrustProxy } from "./fetch.js";
export type { RequestHandle } from "./core/index.js";
