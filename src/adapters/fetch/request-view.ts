// A Web `Request` seen through the core's structural HttpRequestView, for Next.js and other Fetch-based servers.
import { ledgerFor, type AdapterView, type RequestLedger } from "../core/index.js";
import type { ProxySight, ProxyTrust } from "../core/context-builder.js";

/** The client address from the headers and the peer address (see `forwardedClient`). */
type ClientOf = (headers: Headers, peer: string | undefined) => string | undefined;

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

/** `/path?query` of an absolute URL, without building a URL object. */
function pathAndQuery(url: string): string {
  const scheme = url.indexOf("://");
  if (scheme === -1) return url.startsWith("/") ? url : `/${url}`;
  const path = url.indexOf("/", scheme + 3);
  if (path === -1) {
    const query = url.indexOf("?", scheme + 3);
    return query === -1 ? "/" : `/${url.slice(query)}`;
  }
  const fragment = url.indexOf("#", path);
  return fragment === -1 ? url.slice(path) : url.slice(path, fragment);
}

/**
 * Reads method, path and query, headers, and the peer address the caller resolved, each property of the Request
 * once (Next.js hands route handlers a request whose property reads go through a proxy). The body is read from a
 * clone, only when a confirmation token is involved, so the handler can still read it: JSON bodies are parsed (a
 * token then survives a different key order, as with a parsed body in Express), other bodies are hashed as text.
 * `trust` (how far forwarding headers count) is given where the proxy warnings apply: Next.js adds X-Forwarded-For
 * itself, so there the header says nothing about a proxy and no trust is given.
 */
export class FetchRequestView implements AdapterView<Request> {
  readonly request: Request;
  readonly ledger: RequestLedger;
  readonly #headers: Headers;
  readonly clientAddress: string | undefined;
  readonly url: string;
  readonly method: string;
  readonly #peer: string | undefined;
  readonly #trust: ProxyTrust | undefined;

  constructor(request: Request, peer: string | undefined, clientOf: ClientOf, trust: ProxyTrust | undefined) {
    const headers = request.headers;
    this.request = request;
    this.ledger = ledgerFor(request);
    this.#headers = headers;
    this.clientAddress = clientOf(headers, peer);
    this.url = pathAndQuery(request.url);
    this.method = request.method;
    this.#peer = peer;
    this.#trust = trust;
  }

  header(name: string): string | undefined {
    return this.#headers.get(name) ?? undefined;
  }

  async body(): Promise<unknown> {
    if (this.request.body === null || this.request.bodyUsed) return undefined;
    const text = await this.request.clone().text();
    if (text === "") return undefined;
    if (!JSON_TYPE.test(this.#headers.get("content-type") ?? "")) return text;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }

  proxySight(): ProxySight | undefined {
    if (this.#trust === undefined) return undefined;
    return { trust: this.#trust, forwardedFor: this.#headers.get("x-forwarded-for") ?? undefined, peer: this.#peer };
  }
}
