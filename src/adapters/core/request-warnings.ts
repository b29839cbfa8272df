// One-time warnings about a set-up hexarch can only see in requests: proxies, client identity, an unread body.
import ipaddr from "ipaddr.js";
import { configWarning, type Logger } from "../../errors/warnings.js";

/** Where each warning is explained: the README section of the same name. */
export const WARNINGS_HELP = "https://www.npmjs.com/package/hexarch-guardrails#warnings";

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

function warn(logger: Logger, code: string, message: string): void {
  configWarning(logger, code, `${message} (${code}, see ${WARNINGS_HELP})`);
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

/** The warning, once per logger, and the 428 instruction for a request whose body hexarch cannot see. */
export function unreadBody(logger: Logger): string {
  const fix = "put the body parser before hexarch() (e.g. app.use(express.json()) first), so a confirmation token covers the body";
  warn(
    logger,
    "HEXARCH_BODY_UNREAD",
    `a request has a body that no parser read before hexarch(), so no confirmation token can be bound to it: ${fix}`,
  );
  return `no confirmation token was issued: the server cannot see this request's body (its operator must ${fix})`;
}

/** Warns once that a Next.js route has no way to tell clients apart (`HEXARCH_NEXT_NO_CLIENT`). */
export function warnNoClientIdentity(logger: Logger, label: string): void {
  warn(
    logger,
    "HEXARCH_NEXT_NO_CLIENT",
    `${label} has neither trustProxy nor clientKey, so every caller counts as one client ("unknown-client") and per-client limits act as one global limit`,
  );
}

/** Whether Node request headers announce a body (a non-zero Content-Length, or Transfer-Encoding). */
export function announcesBody(headers: { readonly [name: string]: string | string[] | undefined }): boolean {
  const length = headers["content-length"];
  return (length !== undefined && length !== "0") || headers["transfer-encoding"] !== undefined;
}
