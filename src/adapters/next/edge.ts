// What Edge bundles get for hexarch-guardrails/next (the `edge-light` export): the same names, and a clear error.
import type { withHexarch as nodeWithHexarch } from "../next.js";
import { edgeRuntimeError, routeLabel } from "./edge-runtime.js";

/**
 * On the Edge runtime, throws PolicyConfigError asking for `export const runtime = "nodejs"`; loaded instead of the
 * Node.js adapter so that nothing Node-only is imported, and the build stops with this message, not a missing module.
 * @example
 * export const runtime = "nodejs"; // hexarch-guardrails/next needs it (it is the default for route handlers)
 * export const DELETE = withHexarch(deleteUser, { policy: "safe_delete" });
 */
export const withHexarch: typeof nodeWithHexarch = (_handler, options) => {
  throw edgeRuntimeError(routeLabel(options?.policy));
};

export type { DefaultRouteContext, DeniedRequest, HexarchRouteContext, RequestHandle, TrustProxy, WithHexarchOptions } from "../next.js";
