// Adversarial: random spellings of protected paths as Next.js hands them to a route handler: the rule decides every one Next routes there.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { withHexarch } from "../../../src/adapters/next.js";
import { PROTECTED_PATHS, ROUTE_POLICIES, SPELLED_REQUEST, SPELLING_RUNS, type ProtectedPath } from "../path-spellings.js";
import { countingHandler, guardianFor, SECRET } from "./route.js";

/**
 * Whether Next's App Router serves `url` from the route file of `path` (`app/admin/[...rest]`, `app/users/[id]`):
 * it matches the parsed URL's path case-sensitively, segment by segment, after percent-decoding each segment.
 */
function nextRoutes(url: URL, path: ProtectedPath): boolean {
  const segments = url.pathname.split("/").filter((segment) => segment !== "");
  let decoded: string[];
  try {
    decoded = segments.map((segment) => decodeURIComponent(segment));
  } catch {
    return false;
  }
  const [head, ...rest] = path.segments;
  if (decoded[0] !== head) return false;
  return head === "admin" ? decoded.length >= 2 : decoded.length === rest.length + 1;
}

describe("Next.js route handlers", () => {
  const { handler, runs } = countingHandler();
  const route = withHexarch(handler, { guardian: guardianFor(ROUTE_POLICIES), secret: SECRET });

  it("whenever Next would serve a spelling from the protected route, the route rule has decided", async () => {
    let routed = 0;
    await fc.assert(
      fc.asyncProperty(SPELLED_REQUEST, async ({ path, target }) => {
        const url = new URL(target, "http://h");
        url.username = ""; // a Request refuses credentials; Next never sees them
        const request = new Request(url, { method: path.method });
        const handled = runs();
        const answer = await route(request, { params: Promise.resolve({}) });
        if (!nextRoutes(new URL(request.url), path)) return;
        routed++;
        expect(answer.status, `${path.method} ${request.url}`).toBe(path.refusal);
        expect(runs()).toBe(handled);
      }),
      SPELLING_RUNS,
    );
    expect(routed).toBeGreaterThanOrEqual(5);
  });

  it("the protected paths themselves are refused, so the property above is not vacuous", async () => {
    for (const path of PROTECTED_PATHS) {
      const answer = await route(new Request(`http://h/${path.segments.join("/")}`, { method: path.method }), {
        params: Promise.resolve({}),
      });
      expect(answer.status).toBe(path.refusal);
    }
  });
});
