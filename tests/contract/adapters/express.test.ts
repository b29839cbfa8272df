// The HTTP contract run against the Express adapter on a real Express 5 app.
import express from "express";
import type { Server } from "node:http";
import request from "supertest";
import { guard, hexarch } from "../../../src/adapters/express.js";
import type { AdapterDriver, ContractApp, ContractAppSpec } from "./driver.js";
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

const expressDriver: AdapterDriver = {
  name: "express",
  async build(spec): Promise<ContractApp> {
    const server: Server = expressApp(spec).listen(0, "127.0.0.1");
    await new Promise<void>((resolve) => server.once("listening", resolve));
    return {
      async send({ method, path, headers, body }) {
        let pending = request(server)[method.toLowerCase() as "get"](path).set(headers ?? {});
        if (body !== undefined) pending = pending.send(body as object);
        const response = await pending;
        return { status: response.status, headers: response.headers as Record<string, string>, body: response.body as unknown };
      },
      close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
    };
  },
};

runAdapterContract(expressDriver);
