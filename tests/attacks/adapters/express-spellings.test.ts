// Attack: spelled methods and paths sent to real Express 5 apps never run a guarded handler past its rule.
import { createServer, type Server } from "node:http";
import express from "express";
import { afterAll, beforeAll, describe, it } from "vitest";
import { hexarch } from "../../../src/adapters/express.js";
import { guardianFor, SECRET } from "../../adapters/express/app.js";
import { listening } from "../../adapters/path-spellings.js";
import { ATTACKED_POLICIES, checkSpelledRequests } from "./spelled-requests.js";

type Layout = "app routes" | "default Router under case sensitive routing" | "app routes under case sensitive routing";

/** The guarded handlers (GET /admin/*, GET /reports/:id, DELETE /users/:id) laid out as `layout` says, counting runs. */
function expressApp(layout: Layout, guarded: boolean): { server: Server; runs: () => number } {
  const app = express();
  if (layout !== "app routes") app.set("case sensitive routing", true);
  if (guarded) app.use(hexarch({ guardian: guardianFor(ATTACKED_POLICIES), secret: SECRET }));
  let runs = 0;
  const handler: express.RequestHandler = (_req, res) => {
    runs++;
    res.send("guarded");
  };
  const routes = layout === "default Router under case sensitive routing" ? express.Router() : app;
  routes.get("/admin/*splat", handler);
  routes.get("/reports/:id", handler);
  routes.delete("/users/:id", handler);
  if (routes !== app) app.use(routes);
  app.use((_req, res) => res.status(404).send("none"));
  return { server: createServer(app), runs: () => runs };
}

describe.each([
  // Each layout with the spellings (of 100) its router must route at least, so the property is not vacuous.
  ["app routes", 12],
  ["default Router under case sensitive routing", 12],
  ["app routes under case sensitive routing", 5],
] as const)("Express, %s", (layout, minimumRouted) => {
  const plain = expressApp(layout, false);
  const guarded = expressApp(layout, true);
  beforeAll(async () => {
    await listening(plain.server);
    await listening(guarded.server);
  });
  afterAll(() => {
    plain.server.close();
    guarded.server.close();
  });

  it("no spelling of method or path that Express sends to a guarded handler gets past its rule", async () => {
    await checkSpelledRequests(plain, guarded, minimumRouted);
  });
});
