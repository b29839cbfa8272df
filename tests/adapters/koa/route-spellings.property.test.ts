// Adversarial: random spellings of protected paths sent through real Koa and @koa/router never reach the handler unchecked.
import { createServer, type Server } from "node:http";
import Router from "@koa/router";
import Koa, { type Middleware } from "koa";
import { afterAll, beforeAll, describe, it } from "vitest";
import { hexarch } from "../../../src/adapters/koa.js";
import { checkSpellingsDecided, listening, ROUTE_POLICIES } from "../path-spellings.js";
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

/** A Node server for a Koa app (Koa's handler returns a promise that Node does not wait for). */
function nodeServer(app: Koa): Server {
  const handle = app.callback();
  return createServer((req, res) => void handle(req, res));
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
    guardedServer = (await listening(nodeServer(guarded.app))) as Server;
    plainServer = (await listening(nodeServer(plain.app))) as Server;
  });
  afterAll(() => {
    guardedServer?.close();
    plainServer?.close();
  });

  it("whenever @koa/router runs the protected handler for a spelling, the route rule has decided", async () => {
    await checkSpellingsDecided({ server: plainServer, runs: plain.runs }, { server: guardedServer, runs: guarded.runs }, minimumRouted);
  });
});
