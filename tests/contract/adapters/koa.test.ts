// The HTTP contract run against the Koa adapter on a real Koa 3 app.
import Koa from "koa";
import { guard, hexarch } from "../../../src/adapters/koa.js";
import { jsonBody } from "../../adapters/koa/app.js";
import type { ContractAppSpec } from "./driver.js";
import { listeningDriver } from "./listening-driver.js";
import { runAdapterContract } from "./run-contract.js";

function koaApp(spec: ContractAppSpec): Koa {
  const app = new Koa();
  app.use(jsonBody);
  const options = { guardian: spec.guardian, ...spec.options };
  app.use(spec.mount.kind === "hexarch" ? hexarch(options) : guard(spec.mount.policies, options));
  app.use(async (ctx) => {
    const actual = ctx.get("x-actual-cost");
    if (actual !== "") await ctx.state.hexarch?.charge(Number(actual));
    ctx.body = { ok: true };
  });
  return app;
}

runAdapterContract(listeningDriver("koa", (spec) => koaApp(spec).callback()));
