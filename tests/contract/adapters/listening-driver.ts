// A contract driver for adapters that run on a Node HTTP server: listen on a free port, send with supertest.
import { createServer, type RequestListener } from "node:http";
import request from "supertest";
import type { AdapterDriver, ContractApp, ContractAppSpec } from "./driver.js";

/**
 * A driver whose apps are Node request listeners (an Express app, a Koa `app.callback()`).
 * @example runAdapterContract(listeningDriver("koa", (spec) => koaApp(spec).callback()))
 */
export function listeningDriver(name: string, listenerFor: (spec: ContractAppSpec) => RequestListener): AdapterDriver {
  return {
    name,
    async build(spec): Promise<ContractApp> {
      const server = createServer(listenerFor(spec)).listen(0, "127.0.0.1");
      await new Promise<void>((resolve) => server.once("listening", resolve));
      return {
        async send({ method, path, headers, body }) {
          let pending = request(server)
            [method.toLowerCase() as "get"](path)
            .set(headers ?? {});
          if (body !== undefined) pending = pending.send(body as object);
          const response = await pending;
          return { status: response.status, headers: response.headers, body: response.body as unknown };
        },
        close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
      };
    },
  };
}
