// Requests an attacker spells to reach a guarded handler past its rule: method, letter case, escapes, dots, slashes.
import fc from "fast-check";
import { expect } from "vitest";
import { sendRaw, type CountedServer } from "../../adapters/path-spellings.js";

/**
 * Only `root` may use `/admin/*` or read a report (`methods: [GET]`, so HEAD too); deleting a user needs
 * confirmation. Every request here is anonymous, so each rule refuses every request it covers.
 */
export const ATTACKED_POLICIES = `
policies:
  - id: admin_only
    rules:
      - route: "/admin/*"
        allowed_users: [root]
  - id: report_reads
    rules:
      - route: "/reports/:id"
        methods: [GET]
        allowed_users: [root]
  - id: safe_delete
    rules:
      - route: "/users/:id"
        methods: [DELETE]
        action: require_confirmation
`;

/** Fixed seed (the property replays the same requests everywhere), bounded runs. */
export const ATTACK_RUNS = { seed: 20261207, numRuns: 100 } as const;

/** A guarded handler: the method the app registers it for, its path, and the status its rule answers. */
export interface GuardedRoute {
  readonly method: "GET" | "DELETE";
  readonly segments: readonly string[];
  readonly refusal: 403 | 428;
}

export const GUARDED_ROUTES: readonly GuardedRoute[] = [
  { method: "GET", segments: ["admin", "x"], refusal: 403 },
  { method: "GET", segments: ["reports", "q3"], refusal: 403 },
  { method: "DELETE", segments: ["users", "1"], refusal: 428 },
];

/** A spelled request: the route it aims at, the method and the request target as written on the request line. */
export interface SpelledRequest {
  readonly route: GuardedRoute;
  readonly method: string;
  readonly target: string;
}

function escaped(char: string): string {
  return `%${char.charCodeAt(0).toString(16).padStart(2, "0")}`;
}

/** One segment as it is, or respelled: each letter in either case, some percent-encoded (hex in either case). */
function segmentSpelling(segment: string): fc.Arbitrary<string> {
  const chars = [...segment].map((char) =>
    fc.oneof(
      { weight: 10, arbitrary: fc.constant(char) },
      { weight: 4, arbitrary: fc.constant(char.toUpperCase()) },
      { weight: 1, arbitrary: fc.constantFrom(escaped(char), escaped(char).toUpperCase(), escaped(char.toUpperCase())) },
    ),
  );
  const respelled = fc.tuple(...chars).map((parts) => parts.join(""));
  return fc.oneof({ weight: 1, arbitrary: fc.constant(segment) }, { weight: 1, arbitrary: respelled });
}

/** Mostly `usual`, else one of the `tricks`: one odd piece per request is how most of them still reach a handler. */
function mostly(usual: string, tricks: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof({ weight: 5, arbitrary: fc.constant(usual) }, { weight: 2, arbitrary: fc.constantFrom(...tricks) });
}

/** GET routes are tried with HEAD too (every framework here answers HEAD with the GET handler), in any case. */
function methodSpelling(method: GuardedRoute["method"]): fc.Arbitrary<string> {
  return method === "GET" ? fc.constantFrom("GET", "HEAD", "HEAD", "HEAD", "head", "Get") : mostly("DELETE", ["delete", "Delete"]);
}

// Slashes as written, doubled, backslashed or encoded; dot segments plain, encoded or half encoded.
const SEPARATOR = mostly("/", ["//", "///", "\\", "%2F", "%2f", "/%2F"]);
const DOT_SEGMENT = mostly("", ["./", "%2E/", "%2e/", "x/../", "x/%2E%2E/", "x/.%2e/", "../"]);
const PREFIX = mostly("", ["http://h", "HTTP://H:80"]);
const SUFFIX = mostly("", ["/", "//", "/.", "/%2E", "/..", "?q=/admin", "%3Fq", "#f", ";x", "%20", "%00"]);

/** A route and one spelling of a request for it. */
export const SPELLED_REQUEST: fc.Arbitrary<SpelledRequest> = fc.constantFrom(...GUARDED_ROUTES).chain((route) => {
  const pieces = route.segments.map((segment) =>
    fc.tuple(SEPARATOR, DOT_SEGMENT, segmentSpelling(segment)).map(([separator, dots, spelled]) => `${separator}${dots}${spelled}`),
  );
  return fc.tuple(methodSpelling(route.method), PREFIX, fc.tuple(...pieces), SUFFIX).map(([method, prefix, spelled, suffix]) => {
    const path = `${spelled.join("")}${suffix}`;
    // An absolute-form target needs a slash after the authority; anything else there is no target at all.
    return { route, method, target: prefix === "" ? path : `${prefix}/${path.replace(/^[/\\]+/, "")}` };
  });
});

/**
 * The attacker's property against a real server: for every spelled request, `plain` (the same app, unguarded) tells
 * whether the framework runs the guarded handler; if it does, `guarded` must answer with the rule's refusal; its
 * handler must never run. At least `minimumRouted` spellings must reach the handler in `plain`, so the property
 * cannot hold by the router turning every spelling away.
 */
export async function checkSpelledRequests(plain: CountedServer, guarded: CountedServer, minimumRouted: number): Promise<void> {
  let routed = 0;
  await fc.assert(
    fc.asyncProperty(SPELLED_REQUEST, async ({ route, method, target }) => {
      const before = plain.runs();
      await sendRaw(plain.server, method, target);
      const reaches = plain.runs() > before;
      const handled = guarded.runs();
      const answer = await sendRaw(guarded.server, method, target);
      expect(guarded.runs(), `${method} ${target} ran the guarded handler`).toBe(handled);
      if (!reaches) return;
      routed++;
      expect(answer.status, `${method} ${target}`).toBe(route.refusal);
    }),
    ATTACK_RUNS,
  );
  expect(routed).toBeGreaterThanOrEqual(minimumRouted);
}

/**
 * The Web Request a Fetch server builds for a spelled request (its URL parser resolves dot segments and reads `\`
 * as `/`; the Request normalizes the case of standard methods), or undefined when no server would build one.
 */
export function webRequestFor({ method, target }: SpelledRequest): Request | undefined {
  try {
    return new Request(new URL(target, "http://h"), { method });
  } catch {
    return undefined;
  }
}

/** A path's segments, each percent-decoded, as routers that decode before matching see them; undefined for a bad escape. */
export function decodedSegments(pathname: string): string[] | undefined {
  try {
    return pathname
      .split("/")
      .filter((segment) => segment !== "")
      .map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined;
  }
}

/** Whether decoded `segments` name `route`'s handler: `admin` takes any rest, the others exactly one segment more. */
export function namesRoute(segments: readonly string[], route: GuardedRoute): boolean {
  const [head, ...rest] = route.segments;
  if (segments[0] !== head) return false;
  return head === "admin" ? segments.length >= 2 : segments.length === rest.length + 1;
}
