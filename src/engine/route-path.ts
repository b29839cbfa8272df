// One spelling of a request path for route scopes, whatever way the request wrote it.

const SLASH = 47;
const BACKSLASH = 92;
const PERCENT = 37;
const QUESTION = 63;
const HASH = 35;
const UPPER_A = 65;
const UPPER_Z = 90;
const LAST_ASCII = 127;

/**
 * The path a framework routes a request target to, in one spelling: the scheme and authority of an absolute-form
 * target (`http://h/admin/x`) dropped, query and fragment dropped, `\` read as `/` (Node's URL parser does so
 * for the router), repeated slashes collapsed, a trailing slash dropped, percent-encoded unreserved characters
 * decoded (`%61` → `a`; other escapes kept, hex in upper case) and, when `foldCase`, ASCII letters in lower case.
 * Dot segments stay as written: Express and @koa/router route `/users/..` to `/users/:id`, so resolving them
 * would let a rule miss a request its route serves (Fetch's URL parser has resolved them already).
 * A path that is already in this spelling costs one scan and no allocation.
 * @example routePath("http://h/ADMIN//x/?q=1", true) // "/admin/x"
 */
export function routePath(target: string, foldCase: boolean): string {
  if (target.charCodeAt(0) !== SLASH) return rewrite(target, foldCase);
  let end = 0;
  let previous = 0;
  for (; end < target.length; end++) {
    const code = target.charCodeAt(end);
    if (code === QUESTION || code === HASH) break;
    if (code === PERCENT || code === BACKSLASH || (code === SLASH && previous === SLASH)) return rewrite(target, foldCase);
    if (foldCase && ((code >= UPPER_A && code <= UPPER_Z) || code > LAST_ASCII)) return rewrite(target, foldCase);
    previous = code;
  }
  if (end > 1 && previous === SLASH) return rewrite(target, foldCase);
  return end === target.length ? target : target.slice(0, end);
}

/** The slow path of {@link routePath}: splits the path into segments and writes each in its one spelling. */
function rewrite(target: string, foldCase: boolean): string {
  let start = 0;
  if (target.charCodeAt(0) !== SLASH && target.charCodeAt(0) !== BACKSLASH) {
    const scheme = target.indexOf("://");
    if (scheme !== -1) start = pathStart(target, scheme + 3);
  }
  let path = "";
  let segmentStart = start;
  for (let i = start; i <= target.length; i++) {
    const code = i === target.length ? QUESTION : target.charCodeAt(i);
    const last = code === QUESTION || code === HASH;
    if (code !== SLASH && code !== BACKSLASH && !last) continue;
    if (i > segmentStart) path += `/${canonicalSegment(target.slice(segmentStart, i), foldCase)}`;
    if (last) break;
    segmentStart = i + 1;
  }
  return path === "" ? "/" : path;
}

/** Where the path of an absolute-form target begins: after the authority, which ends at `/`, `\`, `?` or `#`. */
function pathStart(target: string, authority: number): number {
  for (let i = authority; i < target.length; i++) {
    const code = target.charCodeAt(i);
    if (code === SLASH || code === BACKSLASH || code === QUESTION || code === HASH) return i;
  }
  return target.length;
}

/**
 * One segment with its unreserved characters (letters, digits, `-._~`) decoded and other escapes in upper-case hex,
 * then folded to lower case when asked. Used for request paths and for the literal parts of route patterns alike.
 * @example canonicalSegment("%7Euser%2f", false) // "~user%2F"
 */
export function canonicalSegment(segment: string, foldCase: boolean): string {
  const decoded = segment.includes("%") ? decodeUnreserved(segment) : segment;
  return foldCase ? decoded.toLowerCase() : decoded;
}

function decodeUnreserved(segment: string): string {
  let out = "";
  let copied = 0;
  for (let i = segment.indexOf("%"); i !== -1 && i + 2 < segment.length; i = segment.indexOf("%", i + 1)) {
    const value = hexValue(segment.charCodeAt(i + 1)) * 16 + hexValue(segment.charCodeAt(i + 2));
    if (Number.isNaN(value)) continue;
    const kept = isUnreserved(value) ? String.fromCharCode(value) : `%${value.toString(16).toUpperCase().padStart(2, "0")}`;
    out += segment.slice(copied, i) + kept;
    copied = i + 3;
    i += 2;
  }
  return out + segment.slice(copied);
}

/** RFC 3986 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~". */
function isUnreserved(code: number): boolean {
  const lower = code | 0x20;
  return (lower >= 97 && lower <= 122) || (code >= 48 && code <= 57) || code === 45 || code === 46 || code === 95 || code === 126;
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : Number.NaN;
}
