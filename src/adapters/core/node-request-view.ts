// What every view of a Node IncomingMessage (Express, Koa) holds: read once as the view is made, headers on demand.
import type { IncomingMessage } from "node:http";
import type { AdapterView } from "./define-adapter.js";
import type { ProxySight, ProxyTrust } from "./context-builder.js";
import type { RequestLedger } from "./request-ledger.js";

/** The parts of Node's IncomingMessage a header is read from. */
export interface NodeHeaderSource {
  /** Names and values in turn, as received (Node's `rawHeaders`). */
  readonly rawHeaders?: readonly string[];
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/**
 * A request header by lower-case name, repeated fields joined with ", " as Node joins them. Reads `rawHeaders`
 * when the request has them: Node builds `req.headers` on first access, and a request no one else reads headers
 * of (a bare Koa app) should not pay for that to learn that a header is absent.
 * @example nodeRequestHeader(req, "hexarch-confirm") // undefined when the request carries none
 */
export function nodeRequestHeader(req: NodeHeaderSource, name: string): string | undefined {
  const raw = req.rawHeaders;
  if (raw === undefined) {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(", ") : value;
  }
  let found: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const field = raw[i] as string;
    if (field.length !== name.length || field.toLowerCase() !== name) continue;
    found = found === undefined ? raw[i + 1] : `${found}, ${raw[i + 1] as string}`;
  }
  return found;
}

/**
 * The fields a Node-based adapter's view sets once per request. Declared, not initialized: the constructor sets
 * each once, with no field initializer to run per request. Route scopes compare without case: an app-level
 * middleware cannot see whether the router that will serve the request (Express `Router()`, @koa/router) matches
 * with case, and folding can only widen a rule. A subclass adds the body and how far the app trusts proxies.
 */
export abstract class NodeRequestView<Req> implements AdapterView<Req> {
  declare readonly request: Req;
  declare readonly ledger: RequestLedger;
  declare readonly method: string;
  declare readonly url: string;
  declare readonly clientAddress: string | undefined;
  declare readonly peerAddress: string | undefined;
  declare readonly caseSensitive: boolean;
  declare readonly node: IncomingMessage;
  /** How far the app trusts forwarding headers, as its framework's setting said when the request came. */
  declare readonly proxyTrust: ProxyTrust;
  /** The header proxies name the client in (`x-forwarded-for`; Koa's `app.proxyIpHeader`), in any case. */
  declare readonly forwardedForHeader: string;

  /** `clientAddress`: the framework's client address, undefined for the socket's peer address. */
  constructor(
    request: Req,
    node: IncomingMessage,
    ledger: RequestLedger,
    url: string,
    clientAddress: string | undefined,
    proxyTrust: ProxyTrust,
    forwardedForHeader: string,
  ) {
    const peer = node.socket.remoteAddress;
    this.request = request;
    this.node = node;
    this.ledger = ledger;
    this.method = node.method ?? "GET";
    this.url = url;
    this.clientAddress = clientAddress ?? peer;
    this.peerAddress = peer;
    this.caseSensitive = false;
    this.proxyTrust = proxyTrust;
    this.forwardedForHeader = forwardedForHeader;
  }

  header(name: string): string | undefined {
    return nodeRequestHeader(this.node, name);
  }

  abstract body(): unknown;

  /** No parsed body, while the headers announce one (a non-zero Content-Length, or Transfer-Encoding). */
  bodyUnseen(): boolean {
    if (this.body() !== undefined) return false;
    const { headers } = this.node;
    const length = headers["content-length"];
    return (length !== undefined && length !== "0") || headers["transfer-encoding"] !== undefined;
  }

  /** Read from what the view already holds, so the proxy warnings never call back into the framework's adapter. */
  proxySight(): ProxySight {
    return { trust: this.proxyTrust, forwardedFor: this.header(this.forwardedForHeader.toLowerCase()), peer: this.peerAddress };
  }
}
