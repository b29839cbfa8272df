// The structural request every adapter hands to the core, and its turning into a GuardContext.
import { operationForMethod, type GuardContext } from "../../engine/context.js";
import { clientKeyForAddress } from "./client-address.js";
import type { FromRequest, HttpGuardOptions, RequestFacts } from "./options.js";

/** What the core needs to know about a request, whatever framework received it. */
export interface HttpRequestView {
  /** Method, upper case. */
  readonly method: string;
  /** Path and query string as received, e.g. `/users/7?hard=1`. */
  readonly url: string;
  /** A request header by lower-case name; undefined when absent. */
  header(name: string): string | undefined;
  /** The peer address as the framework resolved it (Express `req.ip`, so `trust proxy` applies). */
  readonly clientAddress: string | undefined;
  /** The request body (parsed, raw or a string) for the confirmation token's digest; read only when a token is involved. */
  body(): unknown;
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** Writes one request fact into a context under construction. */
type FactWriter<Req> = (req: Req, ctx: Writable<GuardContext>) => void;

const FACT_NAMES = ["resource", "resourceType", "cost", "user", "roles", "apiKey", "facts", "feature", "environment"] as const;

function writerFor<Req, K extends (typeof FACT_NAMES)[number]>(name: K, source: FromRequest<Req, NonNullable<GuardContext[K]>>): FactWriter<Req> {
  if (typeof source !== "function") return (_req, ctx) => void (ctx[name] = source as GuardContext[K]);
  const compute = source as (req: Req) => GuardContext[K] | undefined;
  return (req, ctx) => {
    const value = compute(req);
    if (value !== undefined) ctx[name] = value;
  };
}

/** Precomputed context building for one set of options: only the facts that were given cost anything per request. */
export interface ContextBuilder<Req> {
  (req: Req, view: HttpRequestView): Writable<GuardContext>;
}

/**
 * Compiles request facts into a function building each request's GuardContext: method, route (path without the
 * query), operation (from the method unless given), client key (custom function, else the peer address grouped by
 * `ipv6Prefix`), then every fact given as a value or a function of the request. A cost that is not a finite,
 * non-negative number is left out.
 * @example
 * const toContext = contextBuilder<Request>({ resource: "openai", user: (req) => req.user?.id });
 * const ctx = toContext(req, view); // { method: "POST", route: "/chat", operation: "create", client: "203.0.113.9", resource: "openai", user: "u1" }
 */
export function contextBuilder<Req>(options: RequestFacts<Req> & Pick<HttpGuardOptions<Req>, "clientKey" | "ipv6Prefix">): ContextBuilder<Req> {
  const writers: FactWriter<Req>[] = [];
  for (const name of FACT_NAMES) {
    const source = options[name];
    if (source !== undefined) writers.push(writerFor(name, source as FromRequest<Req, never>));
  }
  const { operation, clientKey } = options;
  const ipv6Prefix = options.ipv6Prefix ?? 64;
  return (req, view) => {
    const query = view.url.indexOf("?");
    const address = view.clientAddress;
    const ctx: Writable<GuardContext> = {
      method: view.method,
      route: query === -1 ? view.url : view.url.slice(0, query),
      operation: (typeof operation === "function" ? operation(req) : operation) ?? operationForMethod(view.method),
    };
    const client = clientKey?.(req) ?? (address === undefined ? undefined : clientKeyForAddress(address, ipv6Prefix));
    if (client !== undefined) ctx.client = client;
    for (const write of writers) write(req, ctx);
    if (ctx.cost !== undefined && !(Number.isFinite(ctx.cost) && ctx.cost >= 0)) delete ctx.cost;
    return ctx;
  };
}

/**
 * One request's GuardContext from a request view and options, without precomputation (tests, one-off checks).
 * @example toContext(view, req, { resource: "openai" })
 */
export function toContext<Req>(view: HttpRequestView, req: Req, options: RequestFacts<Req> & Pick<HttpGuardOptions<Req>, "clientKey" | "ipv6Prefix"> = {}): GuardContext {
  return contextBuilder(options)(req, view);
}
