// Path patterns in policies ("/users/:id", "/admin/*"), compiled once into segment matchers.

/** Tests a request path against one compiled pattern. */
export type RouteMatcher = (segments: readonly string[]) => boolean;

/** Splits a path into its non-empty segments, ignoring the query string and a trailing slash. */
export function pathSegments(path: string): string[] {
  const query = path.indexOf("?");
  const end = query === -1 ? path.length : query;
  const segments: string[] = [];
  let start = 0;
  while (start < end) {
    let slash = path.indexOf("/", start);
    if (slash === -1 || slash > end) slash = end;
    if (slash > start) segments.push(path.slice(start, slash));
    start = slash + 1;
  }
  return segments;
}

/**
 * The first segment of a path, as {@link pathSegments} would give it, without splitting the rest; "" for `/`.
 * @example firstSegment("/users/7?full=1") // "users"
 */
export function firstSegment(path: string): string {
  let start = 0;
  while (start < path.length && path.charCodeAt(start) === 47) start++;
  let end = start;
  while (end < path.length) {
    const code = path.charCodeAt(end);
    if (code === 47 || code === 63) break;
    end++;
  }
  return path.slice(start, end);
}

/** The literal first segment every path matching `pattern` starts with, or undefined when it may start with anything. */
export function literalHead(pattern: string): string | undefined {
  const head = pathSegments(pattern)[0];
  return head === undefined || head === "*" || head.startsWith(":") ? undefined : head;
}

/**
 * Compiles a pattern: `:name` matches one segment, `*` matches one segment, a trailing `*` matches
 * the rest of the path (including nothing), anything else matches itself exactly.
 * @example compileRoute("/users/:id")(pathSegments("/users/7")) // true
 */
export function compileRoute(pattern: string): RouteMatcher {
  const parts = pathSegments(pattern);
  const open = parts.at(-1) === "*";
  const fixed = open ? parts.slice(0, -1) : parts;
  return (segments) => {
    if (open ? segments.length < fixed.length : segments.length !== fixed.length) return false;
    for (let i = 0; i < fixed.length; i++) {
      const part = fixed[i] as string;
      if (part !== "*" && !part.startsWith(":") && part !== segments[i]) return false;
    }
    return true;
  };
}
