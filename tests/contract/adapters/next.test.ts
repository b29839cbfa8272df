// The HTTP contract run against Next's withHexarch, calling the route handler with `new Request()` as Next would.
import { withHexarch } from "../../../src/adapters/next.js";
import type { AdapterDriver, ContractApp } from "./driver.js";
import { toContract, toRequest } from "./fetch-response.js";
import { runAdapterContract } from "./run-contract.js";

const nextDriver: AdapterDriver = {
  name: "next",
  async build(spec): Promise<ContractApp> {
    const policy = spec.mount.kind === "guard" ? { policy: spec.mount.policies } : {};
    const route = withHexarch(
      async (request, { hexarch }) => {
        const actual = request.headers.get("x-actual-cost");
        if (actual !== null) await hexarch.charge(Number(actual));
        return Response.json({ ok: true });
      },
      { guardian: spec.guardian, ...spec.options, ...policy },
    );
    return {
      send: async (request) => toContract(await route(toRequest(request), { params: Promise.resolve({}) })),
      close: async () => {},
    };
  },
};

runAdapterContract(nextDriver);
