// Naming withHexarch() calls in errors, and the one answer to running hexarch-guardrails/next on the Edge runtime: a clear error asking for
// the Node.js runtime.
import { PolicyConfigError } from "../../errors/config-error.js";

/** How a withHexarch() call is named in error messages. */
export function routeLabel(policy: string | readonly string[] | undefined): string {
  return policy === undefined ? "withHexarch()" : `withHexarch({ policy: ${JSON.stringify(policy)} })`;
}

/** The error `withHexarch` throws on the Edge runtime, where the policy file, node:crypto and Redis are out of reach. */
export function edgeRuntimeError(label: string): PolicyConfigError {
  return new PolicyConfigError(
    [
      {
        file: "<runtime>",
        path: label,
        message:
          "hexarch-guardrails/next runs on the Node.js runtime only: the Edge runtime cannot read hexarch.yaml from disk, sign confirmation tokens with node:crypto, or open the TCP connection a Redis store needs",
        fix: 'remove `export const runtime = "edge"` from this route, or write `export const runtime = "nodejs"`',
      },
    ],
    `${label} cannot run on the Edge runtime`,
  );
}

/** True inside Next's Edge runtime (which defines the global `EdgeRuntime`). */
export function onEdgeRuntime(): boolean {
  return typeof (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime === "string";
}
