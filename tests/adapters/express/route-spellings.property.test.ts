// Adversarial: random spellings of protected paths sent through real Express 5 routing never reach the handler unchecked.
import { createServer, type Server } from "node:http";
import express from "express";
import { afterAll, beforeAll, describe, it } from "vitest";
import { hexarch } from "../../../src/adapters/express.js";
import { checkSpellingsDecided, listening, ROUTE_POLICIES } from "../path-spellings.js";
import { guardianFor, SECRET } from "./app.js";

/** An app with the protected handlers behind `guards`, counting how often they run. */
function routedApp(
  guards: express.RequestHandler[],
  configure?: (app: express.Express) => void,
): { app: express.Express; runs: () => number } {
  const app = express();
  configure?.(app);
  for (const guard of guards) app.use(guard);
  let runs = 0;
  const handler: express.RequestHandler = (_req, res) => {
    runs++;
    res.send("protected");
  };
  app.get("/admin/*splat", handler);
  app.delete("/users/:id", handler);
  app.use((_req, res) => res.status(404).send("none"));
  return { app, runs: () => runs };
}

describe.each([
  // Each case with the number of runs (of 120) the router must route at least: upper case stops most under case sensitive routing.
  ["case-insensitive routing (default)", undefined, 30],
  ["case sensitive routing", (app: express.Express) => app.set("case sensitive routing", true), 5],
])("Express, %s", (_name, configure, minimumRouted) => {
  const guarded = routedApp([hexarch({ guardian: guardianFor(ROUTE_POLICIES), secret: SECRET })], configure);
  const plain = routedApp([], configure);
  let guardedServer: Server;
  let plainServer: Server;

  beforeAll(async () => {
    guardedServer = (await listening(createServer(guarded.app))) as Server;
    plainServer = (await listening(createServer(plain.app))) as Server;
  });
  afterAll(() => {
    guardedServer?.close();
    plainServer?.close();
  });

  it("whenever Express runs the protected handler for a spelling, the route rule has decided", async () => {
    await checkSpellingsDecided({ server: plainServer, runs: plain.runs }, { server: guardedServer, runs: guarded.runs }, minimumRouted);
  });
});
