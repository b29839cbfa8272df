// Reads one request header from a Node IncomingMessage without making Node build its whole `headers` object.

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
