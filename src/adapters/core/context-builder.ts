// The structural request every adapter hands to the core, and its turning into a GuardContext.
import { METHOD_OPERATIONS, operationForMethod, type GuardContext } from "../../engine/context.js";
import { routePath } from "../../engine/route-path.js";
import { ipClientKey } from "./client-address.js";
import type { ProxySight } from "./client-address.js";
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
  /**
   * Where a `clientAddress` that is no IP address falls back to (the socket's address). When absent, such a
   * value is the client key as it is (the CLI's `client: alice`).
   */
  readonly peerAddress?: string | undefined;
  /** Whether the app routes paths case-sensitively. Default: true. */
  readonly caseSensitive?: boolean;
  /** The request body (parsed, raw or a string) for the confirmation token's digest; read only when a token is involved. */
  body(): unknown;
  /** What the request shows about proxies, for the one-time proxy warnings; absent where the adapter checks itself. */
  proxySight?(): ProxySight | undefined;
  /** True when the request has a body that no parser read before hexarch (no token can be bound to it). */
  bodyUnseen?(): boolean;
}

/** A type with its fields writable: a context is filled in field by field while it is built. */
export type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** Writes one request fact into a context under construction. */
type FactWriter<Req> = (req: Req, ctx: Writable<GuardContext>) => void;

const FACT_NAMES = [
  "resource",
  "resourceType",
  "cost",
  "model",
  "inputTokens",
  "maxOutputTokens",
  "user",
  "roles",
  "apiKey",
  "facts",
  "feature",
  "environment",
] as const;

function writerFor<Req, K extends (typeof FACT_NAMES)[number]>(
  name: K,
  source: FromRequest<Req, NonNullable<GuardContext[K]>>,
): FactWriter<Req> {
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
 * Compiles request facts into a function building each request's GuardContext: method, route (the path in the one
 * spelling of routePath(), in lower case when the app routes case-insensitively: the `caseSensitive` option, else
 * what the view says the framework does), operation (from the method unless given), client key (custom function,
 * else the client address grouped by `ipv6Prefix`, else the socket's when that is no IP address), then every fact
 * given as a value or a function of the request. A cost is passed on as computed: the engine refuses one that is
 * not an amount (answered 400).
 * The request itself is read from its view; `req` is what the app's option functions receive.
 * @example
 * const toContext = contextBuilder<Request>({ resource: "openai", user: (req) => req.user?.id });
 * const ctx = toContext(req, view);
 * // { method: "POST", route: "/chat", operation: "create", client: "203.0.113.9", resource: "openai", user: "u1" }
 */
export function contextBuilder<Req>(
  options: RequestFacts<Req> & Pick<HttpGuardOptions<Req>, "clientKey" | "ipv6Prefix" | "caseSensitive">,
): ContextBuilder<Req> {
  const writers: FactWriter<Req>[] = [];
  for (const name of FACT_NAMES) {
    const source = options[name];
    if (source !== undefined) writers.push(writerFor(name, source as FromRequest<Req, never>));
  }
  const { operation, clientKey, caseSensitive } = options;
  const ipv6Prefix = options.ipv6Prefix ?? 64;
  /** A client address that is no IP address (a proxy's odd X-Forwarded-For entry): the socket's peer, never a fresh key per spelling. */
  const peerKey = (view: HttpRequestView, address: string): string => {
    const peer = view.peerAddress;
    return peer === undefined ? address : (ipClientKey(peer, ipv6Prefix) ?? peer);
  };
  // Operation and client are worked out inline: the function runs per request, and each call it saves shows.
  return function buildContext(req, view) {
    const method = view.method;
    const folded = !(caseSensitive ?? view.caseSensitive ?? true);
    let client = clientKey?.(req);
    if (client === undefined) {
      const address = view.clientAddress;
      client = address === undefined ? undefined : (ipClientKey(address, ipv6Prefix) ?? peerKey(view, address));
    }
    // One object shape for every request: client is written even when unknown (undefined reads as "not stated").
    const ctx = {
      method,
      route: routePath(view.url, folded),
      operation:
        (typeof operation === "function" ? operation(req) : operation) ?? METHOD_OPERATIONS.get(method) ?? operationForMethod(method),
      client,
    } as Writable<GuardContext>;
    // Stated only when true, so a context (and `hexarch explain --json`) says nothing new for case-sensitive apps.
    if (folded) ctx.caseInsensitiveRoute = true;
    for (const write of writers) write(req, ctx);
    return ctx;
  };
}

/**
 * One request's GuardContext from a request view and options, without precomputation (tests, one-off checks).
 * @example toContext(view, req, { resource: "openai" })
 */
export function toContext<Req>(
  view: HttpRequestView,
  req: Req,
  options: RequestFacts<Req> & Pick<HttpGuardOptions<Req>, "clientKey" | "ipv6Prefix" | "caseSensitive"> = {},
): GuardContext {
  return contextBuilder(options)(req, view);
}
