// Turns a peer address, however a proxy spelled it, into one stable client key: IPv4, or IPv6 grouped by prefix; and
// watches the first requests for proxies set up so that the client address is not the client's.
import ipaddr from "ipaddr.js";
import type { Logger } from "../../errors/warnings.js";
import { warn } from "./request-warnings.js";

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
