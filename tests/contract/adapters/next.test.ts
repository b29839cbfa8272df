// The HTTP contract run against Next's withHexarch, calling the route handler with `new Request()` as Next would.
import { withHexarch } from "../../../src/adapters/next.js";
import type { AdapterDriver, ContractApp, ContractResponse } from "./driver.js";
import { runAdapterContract } from "./run-contract.js";

async function toContract(response: Response): Promise<ContractResponse> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  const text = await response.text();
  const body: unknown = /json/.test(headers["content-type"] ?? "") && text !== "" ? JSON.parse(text) : text;
  return { status: response.status, headers, body };
}

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
      async send({ method, path, headers, body }) {
        const init: RequestInit = {
          method,
          headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        };
        if (body !== undefined) init.body = JSON.stringify(body);
        return toContract(await route(new Request(`http://localhost${path}`, init), { params: Promise.resolve({}) }));
      },
      close: async () => {},
    };
  },
};

runAdapterContract(nextDriver);
