// Path patterns in policies ("/users/:id", "/admin/*"), compiled once into segment matchers.
import { canonicalSegment } from "./route-path.js";

/**
 * Tests a request path against one compiled pattern. `folded`: the path is in lower case because the app routes
 * case-insensitively, so the pattern's literal parts compare in lower case too.
 */
export type RouteMatcher = (segments: readonly string[], folded: boolean) => boolean;

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

/**
 * The literal first segment every path matching `pattern` starts with, spelled as request paths are, or undefined
 * when it may start with anything.
 */
export function literalHead(pattern: string): string | undefined {
  const head = pathSegments(pattern)[0];
  return head === undefined || isWildcard(head) ? undefined : canonicalSegment(head, false);
}

/** A pattern part that matches any one segment. */
function isWildcard(part: string): boolean {
  return part === "*" || part.startsWith(":");
}

/**
 * Compiles a pattern: `:name` matches one segment, `*` matches one segment, a trailing `*` matches
 * the rest of the path (including nothing), anything else matches itself, spelled as request paths are
 * (see routePath: unreserved escapes decoded), exactly or in lower case for a folded path.
 * @example compileRoute("/users/:id")(pathSegments("/users/7"), false) // true
 */
export function compileRoute(pattern: string): RouteMatcher {
  const parts = pathSegments(pattern);
  const open = parts.at(-1) === "*";
  const fixed = (open ? parts.slice(0, -1) : parts).map((part) => (isWildcard(part) ? undefined : canonicalSegment(part, false)));
  const lower = fixed.map((part) => part?.toLowerCase());
  return (segments, folded) => {
    if (open ? segments.length < fixed.length : segments.length !== fixed.length) return false;
    const literals = folded ? lower : fixed;
    for (let i = 0; i < literals.length; i++) {
      const part = literals[i];
      if (part !== undefined && part !== segments[i]) return false;
    }
    return true;
  };
}
