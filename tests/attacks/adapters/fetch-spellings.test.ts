// Attack: spelled methods and paths sent to a Fetch app whose own router ignores case never get past a rule.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createFetchGuard, type FetchGuard } from "../../../src/adapters/fetch.js";
import { guardianFor, SECRET } from "../../adapters/express/app.js";
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
 * A Fetch app routing as many hand-written routers do: the decoded path in lower case, HEAD served as GET. The
 * Fetch adapter cannot see this, so only comparing without case (its default) keeps every spelling in scope.
 */
function fetchApp(guard: FetchGuard | undefined): { handle: (request: Request) => Promise<Response>; runs: () => number } {
  let runs = 0;
  const serve = (request: Request): Response => {
    const segments = decodedSegments(new URL(request.url).pathname.toLowerCase());
    const method = request.method.toUpperCase() === "HEAD" ? "GET" : request.method.toUpperCase();
    const route = segments && GUARDED_ROUTES.find((candidate) => candidate.method === method && namesRoute(segments, candidate));
    if (route === undefined) return new Response("none", { status: 404 });
    runs++;
    return new Response("guarded");
  };
  return {
    async handle(request) {
      if (guard === undefined) return serve(request);
      const verdict = await guard.check(request, "127.0.0.1");
      return verdict.proceed ? verdict.finish(serve(request)) : verdict.response;
    },
    runs: () => runs,
  };
}

describe("Fetch, an app router without case", () => {
  const plain = fetchApp(undefined);
  const guarded = fetchApp(createFetchGuard({ guardian: guardianFor(ATTACKED_POLICIES), secret: SECRET }));

  it("no spelling of method or path that the app routes to a guarded handler gets past its rule", async () => {
    let routed = 0;
    await fc.assert(
      fc.asyncProperty(SPELLED_REQUEST, async (spelled) => {
        const request = webRequestFor(spelled);
        if (request === undefined) return;
        const before = plain.runs();
        await plain.handle(request.clone());
        const reaches = plain.runs() > before;
        const handled = guarded.runs();
        const answer = await guarded.handle(request);
        expect(guarded.runs(), `${request.method} ${request.url} ran the guarded handler`).toBe(handled);
        if (!reaches) return;
        routed++;
        expect(answer.status, `${request.method} ${request.url}`).toBe(spelled.route.refusal);
      }),
      ATTACK_RUNS,
    );
    expect(routed).toBeGreaterThanOrEqual(20);
  });
});
