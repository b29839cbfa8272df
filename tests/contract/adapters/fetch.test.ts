// The HTTP contract run against createFetchGuard, as a Fetch server (Bun, Deno, Hono) uses it: check, handle, finish.
import { createFetchGuard } from "../../../src/adapters/fetch.js";
import type { AdapterDriver, ContractApp } from "./driver.js";
import { toContract, toRequest } from "./fetch-response.js";
import { runAdapterContract } from "./run-contract.js";

/** The socket peer every contract request comes from, as a Fetch server reports it. */
const PEER = "127.0.0.1";

const fetchDriver: AdapterDriver = {
  name: "fetch",
  async build(spec): Promise<ContractApp> {
    const policy = spec.mount.kind === "guard" ? { policy: spec.mount.policies } : {};
    const guard = createFetchGuard({ guardian: spec.guardian, ...spec.options, ...policy });
    const serve = async (request: Request): Promise<Response> => {
      const verdict = await guard.check(request, PEER);
      if (!verdict.proceed) return verdict.response;
      const actual = request.headers.get("x-actual-cost");
      if (actual !== null) await verdict.handle.charge(Number(actual));
      return verdict.finish(Response.json({ ok: true }));
    };
    return {
      send: async (request) => toContract(await serve(toRequest(request))),
      close: async () => {},
    };
  },
};

runAdapterContract(fetchDriver);
