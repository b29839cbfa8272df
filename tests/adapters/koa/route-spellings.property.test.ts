// Adversarial: random spellings of protected paths sent through real Koa and @koa/router never reach the handler unchecked.
import { createServer, type Server } from "node:http";
import Router from "@koa/router";
import fc from "fast-check";
import Koa, { type Middleware } from "koa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hexarch } from "../../../src/adapters/koa.js";
import { listening, ROUTE_POLICIES, sendRaw, SPELLED_REQUEST, SPELLING_RUNS } from "../path-spellings.js";
import { guardianFor, SECRET } from "./app.js";

/** An app with the protected handlers on a router made with `sensitive`, behind `guards`, counting their runs. */
function routedApp(guards: Middleware[], sensitive: boolean): { app: Koa; runs: () => number } {
  const app = new Koa();
  for (const guard of guards) app.use(guard);
  const router = new Router({ sensitive });
  let runs = 0;
  const handler: Middleware = (ctx) => {
    runs++;
    ctx.body = "protected";
  };
  router.get("/admin/{*rest}", handler);
  router.delete("/users/:id", handler);
  app.use(router.routes());
  return { app, runs: () => runs };
}

describe.each([
  // Each case with the number of runs (of 120) the router must route at least: upper case stops most under `sensitive`.
  ["the router's default (case-insensitive)", false, {}, 30],
  ["a sensitive router, told by the caseSensitive option", true, { caseSensitive: true }, 5],
])("Koa, %s", (_name, sensitive, options, minimumRouted) => {
  const guarded = routedApp([hexarch({ guardian: guardianFor(ROUTE_POLICIES), secret: SECRET, ...options })], sensitive);
  const plain = routedApp([], sensitive);
  let guardedServer: Server;
  let plainServer: Server;

  beforeAll(async () => {
    guardedServer = (await listening(createServer(guarded.app.callback()))) as Server;
    plainServer = (await listening(createServer(plain.app.callback()))) as Server;
  });
  afterAll(() => {
    guardedServer?.close();
    plainServer?.close();
  });

  it("whenever @koa/router runs the protected handler for a spelling, the route rule has decided", async () => {
    let routed = 0;
    await fc.assert(
      fc.asyncProperty(SPELLED_REQUEST, async ({ path, target }) => {
        const before = plain.runs();
        await sendRaw(plainServer, path.method, target);
        const frameworkRoutes = plain.runs() > before;
        const handled = guarded.runs();
        const answer = await sendRaw(guardedServer, path.method, target);
        expect(guarded.runs(), `${path.method} ${target} reached the handler`).toBe(handled);
        if (frameworkRoutes) {
          routed++;
          expect(answer.status, `${path.method} ${target}`).toBe(path.refusal);
        }
      }),
      SPELLING_RUNS,
    );
    // The generator must exercise the routing, not only spellings the router turns away.
    expect(routed).toBeGreaterThanOrEqual(minimumRouted);
  });
});
