// The HTTP contract run against the Express adapter on a real Express 5 app.
import express from "express";
import { guard, hexarch } from "../../../src/adapters/express.js";
import type { ContractAppSpec } from "./driver.js";
import { listeningDriver } from "./listening-driver.js";
import { runAdapterContract } from "./run-contract.js";

function expressApp(spec: ContractAppSpec): express.Express {
  const app = express();
  app.use(express.json());
  const options = { guardian: spec.guardian, ...spec.options };
  app.use(spec.mount.kind === "hexarch" ? hexarch(options) : guard(spec.mount.policies, options));
  app.use(async (req, res) => {
    const actual = req.get("x-actual-cost");
    if (actual !== undefined) await res.locals.hexarch?.charge(Number(actual));
    res.json({ ok: true });
  });
  return app;
}

runAdapterContract(listeningDriver("express", expressApp));
