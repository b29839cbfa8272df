// The structural request every adapter hands to the core and its turning into a GuardContext; the client key of a
// peer address in any spelling (IPv4, IPv6 grouped by prefix), and the watch for proxies that hide the client.
import ipaddr from "ipaddr.js";
import { METHOD_OPERATIONS, operationForMethod, type GuardContext } from "../../engine/context.js";
import { routePath } from "../../engine/route-path.js";
import type { Logger } from "../../errors/warnings.js";
import type { FromRequest, HttpGuardOptions, RequestFacts } from "./options.js";
import { warn } from "./request-warnings.js";

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

const MAPPED_PREFIX = "::ffff:";
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const COLON = 58;
const OPEN_BRACKET = 91;

/**
 * The client key of an IP address in any spelling a server or proxy writes: `1.2.3.4`, `1.2.3.4:5555`,
 * `[::ffff:1.2.3.4]:443`, `::ffff:102:304`, `fe80::1%eth0`, `[2001:db8::7]:443`. The port, brackets and zone id
 * are dropped; an IPv4-mapped IPv6 address counts as its IPv4 address; other IPv6 addresses are grouped by their
 * first `ipv6Prefix` bits (one host usually owns a whole /64). Undefined when the value is no IP address.
 * @param ipv6Prefix bits of an IPv6 address that identify a client. Default: 64.
 * @example ipClientKey("[2001:db8:1:2:aaaa::1]:443") // "2001:db8:1:2::/64"
 */
export function ipClientKey(address: string, ipv6Prefix = 64): string | undefined {
  if (isPlainIPv4(address, 0, address.length)) return address;
  // Node's own spelling of an IPv4 peer on a dual-stack socket, answered without parsing IPv6.
  if (address.startsWith(MAPPED_PREFIX) && isPlainIPv4(address, MAPPED_PREFIX.length, address.length))
    return address.slice(MAPPED_PREFIX.length);
  const host = hostOf(address);
  if (host === undefined) return undefined;
  if (isPlainIPv4(host, 0, host.length)) return host;
  const zone = host.indexOf("%");
  const bare = zone === -1 ? host : host.slice(0, zone);
  if (!ipaddr.IPv6.isValid(bare)) return undefined;
  const parsed = ipaddr.IPv6.parse(bare);
  if (parsed.isIPv4MappedAddress()) return parsed.toIPv4Address().toString();
  if (ipv6Prefix >= 128) return parsed.toNormalizedString();
  return `${maskIPv6(parsed.toByteArray(), ipv6Prefix)}/${ipv6Prefix}`;
}

/**
 * The client key for an address ({@link ipClientKey}); a value that is no IP address is returned unchanged, for
 * callers that name clients themselves (the CLI's `client: alice`).
 * @example clientKeyForAddress("::ffff:203.0.113.9") // "203.0.113.9"
 */
export function clientKeyForAddress(address: string, ipv6Prefix = 64): string {
  return ipClientKey(address, ipv6Prefix) ?? address;
}

/**
 * The address without brackets and port: `[v6]`, `[v6]:port` and `v4:port` give the address inside; an IPv6
 * address without brackets (two colons or more) is its own host. Undefined for a malformed port or bracket.
 */
function hostOf(address: string): string | undefined {
  if (address.charCodeAt(0) === OPEN_BRACKET) {
    const close = address.indexOf("]");
    if (close === -1 || !isPortSuffix(address, close + 1)) return undefined;
    return address.slice(1, close);
  }
  const colon = address.indexOf(":");
  if (colon === -1 || address.indexOf(":", colon + 1) !== -1) return address;
  return isPlainIPv4(address, 0, colon) && isPortSuffix(address, colon) ? address.slice(0, colon) : undefined;
}

/** True when `address` ends at `from`, or continues with `:` and a port number (0 to 65535) there. */
function isPortSuffix(address: string, from: number): boolean {
  if (from === address.length) return true;
  const digits = address.length - from - 1;
  if (address.charCodeAt(from) !== COLON || digits < 1 || digits > 5) return false;
  let port = 0;
  for (let i = from + 1; i < address.length; i++) {
    const code = address.charCodeAt(i);
    if (!isDigit(code)) return false;
    port = port * 10 + code - ZERO;
  }
  return port <= 65535;
}

/**
 * True for four decimal numbers from 0 to 255 without leading zeros, separated by dots, in `text[start, end)`:
 * the usual peer address, answered with one scan and no allocation.
 */
function isPlainIPv4(text: string, start: number, end: number): boolean {
  if (end - start < 7 || end - start > 15) return false;
  let parts = 0;
  let value = 0;
  let digits = 0;
  for (let i = start; i <= end; i++) {
    const code = i === end ? DOT : text.charCodeAt(i);
    if (code === DOT) {
      if (digits === 0 || value > 255 || (digits > 1 && text.charCodeAt(i - digits) === ZERO)) return false;
      parts++;
      value = 0;
      digits = 0;
    } else if (code >= ZERO && code <= NINE) {
      value = value * 10 + code - ZERO;
      digits++;
    } else {
      return false;
    }
  }
  return parts === 4;
}

function isDigit(code: number): boolean {
  return code >= ZERO && code <= NINE;
}

function maskIPv6(bytes: number[], prefix: number): string {
  const masked = bytes.map((byte, i) => {
    const keep = Math.min(Math.max(prefix - i * 8, 0), 8);
    return byte & ((0xff << (8 - keep)) & 0xff);
  });
  return ipaddr.fromByteArray(masked).toString();
}

/** How far the app trusts forwarding headers: not at all, every hop (`trust proxy: true`), or some hops. */
export type ProxyTrust = "none" | "all" | "some";

/** What a request shows about the proxies in front of the app. */
export interface ProxySight {
  readonly trust: ProxyTrust;
  /** The X-Forwarded-For header, when the request has one. */
  readonly forwardedFor: string | undefined;
  /** The socket's peer address, when known. */
  readonly peer: string | undefined;
}

/**
 * Requests watched for proxy set-up mistakes per guard: a proxy adds X-Forwarded-For to every request, so a
 * misconfiguration shows in the first ones, and later requests skip the header read.
 */
const WATCHED_REQUESTS = 100;

/** Whether an address is on the public internet (not loopback, private, link-local…): a client, not a local proxy. */
function isPublic(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  return parsed.range() === "unicast";
}

/**
 * Watches the first requests of one guard and warns once per logger: `HEXARCH_XFF_UNTRUSTED` when X-Forwarded-For
 * arrives while proxies are not trusted (every client behind the proxy shares its limit), `HEXARCH_TRUST_PROXY_DIRECT`
 * when every proxy is trusted but a public address reaches the app directly (any client can pick its own
 * X-Forwarded-For and a fresh limit).
 * A request whose `proxySight()` is absent or undefined tells nothing (an adapter that checks itself).
 * @example const watch = proxyWatch(logger); watch(view);
 */
export function proxyWatch(logger: Logger): (view: { proxySight?(): ProxySight | undefined }) => void {
  let left = WATCHED_REQUESTS;
  return function watchProxies(view) {
    if (left === 0) return;
    const sight = view.proxySight?.();
    if (sight === undefined) return;
    left--;
    const { trust, forwardedFor, peer } = sight;
    if (trust === "none" && forwardedFor !== undefined) {
      warn(
        logger,
        "HEXARCH_XFF_UNTRUSTED",
        'a request carries X-Forwarded-For but proxies are not trusted, so every client behind the proxy shares one limit: trust the proxies in front of the app (Express `app.set("trust proxy", 1)`, Koa `app.proxy = true`, Fetch/Next `trustProxy: 1`)',
      );
    } else if (trust === "all" && peer !== undefined && isPublic(peer)) {
      warn(
        logger,
        "HEXARCH_TRUST_PROXY_DIRECT",
        `every proxy is trusted but ${peer} reached the app directly, so a client can send any X-Forwarded-For and get a fresh limit each time: trust only the number of proxies in front of the app, e.g. \`app.set("trust proxy", 1)\``,
      );
    }
  };
}
