// Attack: spelled methods and paths sent to real Koa 3 apps with @koa/router never run a guarded handler past its rule.
import { createServer, type Server } from "node:http";
import Router from "@koa/router";
import Koa, { type Middleware } from "koa";
import { afterAll, beforeAll, describe, it } from "vitest";
import { hexarch } from "../../../src/adapters/koa.js";
import { guardianFor, SECRET } from "../../adapters/koa/app.js";
import { listening } from "../../adapters/path-spellings.js";
import { ATTACKED_POLICIES, checkSpelledRequests } from "./spelled-requests.js";

/** The guarded handlers on a router made with `sensitive`, behind hexarch when `guarded`, counting their runs. */
function koaApp(sensitive: boolean, guarded: boolean): { server: Server; runs: () => number } {
  const app = new Koa();
  // The caseSensitive option is how an app says its routers match with case; only then does hexarch compare with case.
  if (guarded)
    app.use(hexarch({ guardian: guardianFor(ATTACKED_POLICIES), secret: SECRET, ...(sensitive ? { caseSensitive: true } : {}) }));
  const router = new Router({ sensitive });
  let runs = 0;
  const handler: Middleware = (ctx) => {
    runs++;
    ctx.body = "guarded";
  };
  router.get("/admin/{*rest}", handler);
  router.get("/reports/:id", handler);
  router.delete("/users/:id", handler);
  app.use(router.routes());
  const handle = app.callback();
  return { server: createServer((req, res) => void handle(req, res)), runs: () => runs };
}

describe.each([
  // Each router with the spellings (of 100) it must route at least, so the property is not vacuous.
  ["the router's default (without case)", false, 12],
  ["a sensitive router, told by caseSensitive: true", true, 5],
] as const)("Koa, %s", (_name, sensitive, minimumRouted) => {
  const plain = koaApp(sensitive, false);
  const guarded = koaApp(sensitive, true);
  beforeAll(async () => {
    await listening(plain.server);
    await listening(guarded.server);
  });
  afterAll(() => {
    plain.server.close();
    guarded.server.close();
  });

  it("no spelling of method or path that @koa/router sends to a guarded handler gets past its rule", async () => {
    await checkSpelledRequests(plain, guarded, minimumRouted);
  });
});
