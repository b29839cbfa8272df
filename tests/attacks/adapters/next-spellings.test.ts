// Attack: spelled methods and paths, as Next.js hands them to App Router route handlers, never get past a rule.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { withHexarch } from "../../../src/adapters/next.js";
import { countingHandler, guardianFor, SECRET } from "../../adapters/next/route.js";
import {
  ATTACK_RUNS,
  ATTACKED_POLICIES,
  decodedSegments,
  GUARDED_ROUTES,
  namesRoute,
  SPELLED_REQUEST,
  webRequestFor,
} from "./spelled-requests.js";

/**
 * The export of a route file Next would call for `request`, if any: the file is picked by the decoded path, with
 * case (`app/admin/[...rest]`, `app/reports/[id]`, `app/users/[id]`); a file exporting GET also answers HEAD.
 */
function exportFor(request: Request): (typeof GUARDED_ROUTES)[number] | undefined {
  const segments = decodedSegments(new URL(request.url).pathname);
  if (segments === undefined) return undefined;
  const method = request.method === "HEAD" ? "GET" : request.method;
  return GUARDED_ROUTES.find((route) => route.method === method && namesRoute(segments, route));
}

describe("Next.js route handlers", () => {
  const { handler, runs } = countingHandler();
  const guardian = guardianFor(ATTACKED_POLICIES);
  // One wrapped handler per route file; all share the guardian, as Next's routes share one from a module.
  const routeExport = withHexarch(handler, { guardian, secret: SECRET });

  it("no spelling of method or path that Next would hand to a guarded route handler gets past its rule", async () => {
    let routed = 0;
    await fc.assert(
      fc.asyncProperty(SPELLED_REQUEST, async (spelled) => {
        const request = webRequestFor(spelled);
        const route = request === undefined ? undefined : exportFor(request);
        if (request === undefined || route === undefined) return;
        routed++;
        const handled = runs();
        const answer = await routeExport(request, { params: Promise.resolve({}) });
        expect(answer.status, `${request.method} ${request.url}`).toBe(route.refusal);
        expect(runs()).toBe(handled);
      }),
      ATTACK_RUNS,
    );
    expect(routed).toBeGreaterThanOrEqual(12);
  });
});
