// The client address of a Fetch request: the peer the server saw, or X-Forwarded-For when the app trusts its proxies.
import { PolicyConfigError } from "../../errors/config-error.js";
import { ipClientKey } from "../core/context-builder.js";

/**
 * Whether forwarding headers count: `false` ignores them; `true` trusts every proxy (the leftmost X-Forwarded-For
 * address is the client); a number N trusts N proxies in front of the app, each appending the address it saw (the
 * client is the Nth address from the right).
 */
export type TrustProxy = boolean | number;

/** Rejects a trustProxy that is neither a boolean nor a whole number of hops, at construction. */
export function checkTrustProxy(trustProxy: unknown, label: string): void {
  if (trustProxy === undefined || typeof trustProxy === "boolean") return;
  if (typeof trustProxy === "number" && Number.isInteger(trustProxy) && trustProxy >= 1 && trustProxy <= 64) return;
  throw new PolicyConfigError(
    [
      {
        file: "<options>",
        path: `${label}.trustProxy`,
        message: `${typeof trustProxy === "number" ? trustProxy : JSON.stringify(trustProxy)} is not a number of proxies`,
        fix: "use true (trust every proxy), or the number of proxies in front of the app, e.g. 1",
      },
    ],
    `invalid options for ${label}`,
  );
}

/**
 * Resolves the client address once per request from the trust setting. A forwarded value that is no IP address
 * (`unknown`, `_hidden`, a typo) gives the peer address.
 * @returns a function of the request's headers and the peer address (undefined when the server gives none).
 * @example
 * const clientOf = forwardedClient(1);
 * clientOf(new Headers({ "x-forwarded-for": "198.51.100.7, 10.0.0.2" }), undefined) // "10.0.0.2"
 */
export function forwardedClient(trustProxy: TrustProxy | undefined): (headers: Headers, peer: string | undefined) => string | undefined {
  if (trustProxy === undefined || trustProxy === false) return (_headers, peer) => peer;
  const hops = trustProxy === true ? Number.POSITIVE_INFINITY : trustProxy;
  return (headers, peer) => {
    const forwarded = headers.get("x-forwarded-for");
    if (forwarded === null) return peer;
    const chain = forwarded
      .split(",")
      .map((address) => address.trim())
      .filter((address) => address !== "");
    if (chain.length === 0) return peer;
    const client = chain[Math.max(0, chain.length - hops)] as string;
    // A value that is no IP address would be a fresh client per spelling: the peer it came through instead.
    return ipClientKey(client) === undefined ? peer : client;
  };
}
