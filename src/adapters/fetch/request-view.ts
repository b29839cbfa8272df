// A Web `Request` seen through the core's structural HttpRequestView, for Next.js and other Fetch-based servers.
import type { HttpRequestView } from "../core/index.js";

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
 */
export class FetchRequestView implements HttpRequestView {
  readonly #request: Request;
  readonly #headers: Headers;
  readonly clientAddress: string | undefined;
  readonly url: string;
  readonly method: string;

  constructor(request: Request, headers: Headers, clientAddress: string | undefined) {
    this.#request = request;
    this.#headers = headers;
    this.clientAddress = clientAddress;
    this.url = pathAndQuery(request.url);
    this.method = request.method;
  }

  header(name: string): string | undefined {
    return this.#headers.get(name) ?? undefined;
  }

  async body(): Promise<unknown> {
    if (this.#request.body === null || this.#request.bodyUsed) return undefined;
    const text = await this.#request.clone().text();
    if (text === "") return undefined;
    if (!JSON_TYPE.test(this.#headers.get("content-type") ?? "")) return text;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
}
