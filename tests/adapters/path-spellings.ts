// Spellings of protected paths for the route-scope tests: a policy, a fast-check generator and a raw HTTP sender.
import net from "node:net";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { expect } from "vitest";

/** Only `root` may use `/admin/*`; deleting a user needs confirmation. */
export const ROUTE_POLICIES = `
policies:
  - id: admin_only
    rules:
      - route: "/admin/*"
        allowed_users: [root]
  - id: safe_delete
    rules:
      - route: "/users/:id"
        methods: [DELETE]
        action: require_confirmation
`;

/** fast-check settings for the adversarial suite: a fixed seed (CI repeats the run), bounded runs. */
export const SPELLING_RUNS = { seed: 20261202, numRuns: 120 } as const;

/** A protected request: method, the path as the app registers it, and the status its rule answers. */
export interface ProtectedPath {
  readonly method: "GET" | "DELETE";
  readonly segments: readonly string[];
  readonly refusal: 403 | 428;
}

export const PROTECTED_PATHS: readonly ProtectedPath[] = [
  { method: "GET", segments: ["admin", "x"], refusal: 403 },
  { method: "GET", segments: ["admin", "reports", "q3"], refusal: 403 },
  { method: "DELETE", segments: ["users", "1"], refusal: 428 },
];

function percentEncoded(char: string): string {
  return `%${char.charCodeAt(0).toString(16).padStart(2, "0")}`;
}

/** One segment respelled: each letter in either case, some characters percent-encoded (hex in either case). */
function segmentSpelling(segment: string): fc.Arbitrary<string> {
  const chars = [...segment].map((char) =>
    fc.oneof(
      { weight: 12, arbitrary: fc.constant(char) },
      { weight: 4, arbitrary: fc.constant(char.toUpperCase()) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(percentEncoded(char), percentEncoded(char).toUpperCase(), percentEncoded(char.toUpperCase())),
      },
    ),
  );
  return fc.tuple(...chars).map((parts) => parts.join(""));
}

const SEPARATOR = fc.constantFrom("/", "/", "/", "//", "///", "\\");
const DOT_SEGMENT = fc.constantFrom("", "", "", "", "", "./", "x/../");
const PREFIX = fc.constantFrom("", "", "http://h", "HTTP://example.test:8080", "http://user@h");
const SUFFIX = fc.constantFrom("", "", "/", "//", "?q=1", "/?q=/admin", "#f", "/#f");

/**
 * A request target that spells `path` some other way: letter case, percent-encoded characters, repeated slashes or
 * a backslash, `./` and `x/../` segments, absolute form, trailing slash, query and fragment.
 */
export function targetSpelling(path: ProtectedPath): fc.Arbitrary<string> {
  const pieces = path.segments.map((segment) =>
    fc.tuple(SEPARATOR, DOT_SEGMENT, segmentSpelling(segment)).map(([sep, dot, spelled]) => `${sep}${dot}${spelled}`),
  );
  return fc.tuple(PREFIX, fc.tuple(...pieces), SUFFIX).map(([prefix, spelled, suffix]) => {
    const path = `${spelled.join("")}${suffix}`;
    // An absolute-form target needs a slash after the authority; a backslash there is no request target at all.
    return prefix === "" ? path : `${prefix}/${path.slice(1)}`;
  });
}

/** A protected path and one spelling of it. */
export const SPELLED_REQUEST = fc
  .constantFrom(...PROTECTED_PATHS)
  .chain((path) => targetSpelling(path).map((target) => ({ path, target })));

/** Status and body of one request sent as written on the request line, which supertest cannot do. */
export async function sendRaw(server: net.Server, method: string, target: string): Promise<{ status: number; body: string }> {
  const { port } = server.address() as AddressInfo;
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.end(`${method} ${target} HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n`));
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (text += chunk));
    socket.on("end", () => resolve(text));
    socket.on("error", reject);
  });
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? "0");
  return { status, body: answer.slice(answer.indexOf("\r\n\r\n") + 4) };
}

/** Starts a server on a free port of 127.0.0.1. */
export async function listening(server: net.Server): Promise<net.Server> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

/** A running app with the protected handlers, and how often they ran. */
export interface CountedServer {
  readonly server: net.Server;
  readonly runs: () => number;
}

/**
 * The adversarial property for a real framework: for every generated spelling, `plain` (no guard) tells whether
 * the router sends it to the protected handler; `guarded` must then answer with the rule's refusal, and its handler
 * must never run. At least `minimumRouted` spellings must be routed, so the property cannot hold by the router
 * turning every spelling away.
 */
export async function checkSpellingsDecided(plain: CountedServer, guarded: CountedServer, minimumRouted: number): Promise<void> {
  let routed = 0;
  await fc.assert(
    fc.asyncProperty(SPELLED_REQUEST, async ({ path, target }) => {
      const before = plain.runs();
      await sendRaw(plain.server, path.method, target);
      const frameworkRoutes = plain.runs() > before;
      const handled = guarded.runs();
      const answer = await sendRaw(guarded.server, path.method, target);
      expect(guarded.runs(), `${path.method} ${target} reached the handler`).toBe(handled);
      if (frameworkRoutes) {
        routed++;
        expect(answer.status, `${path.method} ${target}`).toBe(path.refusal);
      }
    }),
    SPELLING_RUNS,
  );
  expect(routed).toBeGreaterThanOrEqual(minimumRouted);
}
