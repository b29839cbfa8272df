// A fixed number of allowed decisions for instructions.ts to count: `loop.ts <without|noop|reader> <decisions>`.
import type * as Root from "../../src/index.js";
import { BENCH_DIST } from "../http-load.js";
import { CLIENTS, POLICY, registerInMemoryReader } from "./setup.js";

const [variant = "without", decisions = "10000"] = process.argv.slice(2);
const { createGuardian } = (await import(`${BENCH_DIST}index.js`)) as typeof Root;
if (variant === "reader") registerInMemoryReader();
else if (variant !== "noop" && variant !== "without") throw new Error(`unknown variant ${variant}`);
const guardian = createGuardian({ policyText: POLICY, env: {}, ...(variant === "without" ? { telemetry: false as const } : {}) });
for (let i = 0; i < Number(decisions); i++) {
  const decision = await guardian.check("api", { client: CLIENTS[i % CLIENTS.length] as string });
  if (decision.outcome !== "allow") throw new Error(`expected allow, got ${decision.outcome}`);
}
process.exit(0);
