// What the engine knows about one call: who, what, where, when. Adapters build it; the engine never sees a request.

/**
 * The facts about one call that policies are evaluated against. Every field is optional; a field left
 * out is "not stated". When a policy is named explicitly (`guard("safe_delete")`, `check(id, ctx)`),
 * a scope the context does not state counts as matching; when all policies are applied (`hexarch()`),
 * only rules without that scope (or with a `*` wildcard) apply.
 * @example
 * { operation: "delete", route: "/users/7", method: "DELETE", client: "203.0.113.9" }
 */
export interface GuardContext {
  /** Operation tag(s): `read`, `create`, `update`, `delete`, or the app's own (`migrate`). */
  readonly operation?: string | readonly string[];
  /** The resource being used, e.g. `openai`. */
  readonly resource?: string;
  /** The kind of resource, matched against `resource_types`. */
  readonly resourceType?: string;
  /** HTTP method, upper case. */
  readonly method?: string;
  /** Request path, e.g. `/users/7`. */
  readonly route?: string;
  /**
   * The app routes paths case-insensitively (Express's and @koa/router's default): `route` is in lower case, and
   * route patterns compare in lower case. Default: false, patterns compare exactly.
   */
  readonly caseInsensitiveRoute?: boolean;
  /** Client identity: an IP address (already grouped, e.g. IPv6 /64) or another stable id. */
  readonly client?: string;
  /** Authenticated user id. */
  readonly user?: string;
  /** The user's roles, for `allowed_roles`. */
  readonly roles?: readonly string[];
  /** API key (or a digest of it) used as a counter key. */
  readonly apiKey?: string;
  /** Deployment environment; defaults to the guardian's (`HEXARCH_ENV`, then `NODE_ENV`, then `development`). */
  readonly environment?: string;
  /** App-supplied facts checked by `require_facts`, e.g. `{ backup_verified: true }`. */
  readonly facts?: Readonly<Record<string, unknown>>;
  /** Feature flag this call exercises. */
  readonly feature?: string;
  /** Confirmation already obtained: `true` for every policy, or the ids of the confirmed policies. */
  readonly confirm?: boolean | readonly string[];
  /**
   * Estimated cost of this call, charged against budgets (the policy's `cost` wins; default: the token estimate when
   * `model` is priced, else 1).
   */
  readonly cost?: number;
  /**
   * The AI model this call uses, e.g. `gpt-4o`: checked by `models:` / `forbidden_models:`, and priced by the file's
   * `prices:` so budgets reserve `inputTokens × input price + maxOutputTokens × output price`.
   */
  readonly model?: string;
  /** Input (prompt) tokens the call sends, a whole number; priced at the model's input price. Default 0. */
  readonly inputTokens?: number;
  /** The most output tokens the call may produce (its `max_tokens`), a whole number; priced at the output price. Default 0. */
  readonly maxOutputTokens?: number;
  /** Values for custom counter keys named in policies (`key: tenant`). */
  readonly keys?: Readonly<Record<string, string>>;
  /**
   * The instant of the call in epoch milliseconds; defaults to the guardian's clock. Anything but a number within
   * ±8.6e15 makes the call throw: a TypeError for a non-number, a RangeError for NaN, ±Infinity or out of range.
   */
  readonly now?: number;
}

/**
 * Operation tag for an HTTP method: GET/HEAD/OPTIONS → read, POST → create, PUT/PATCH → update, DELETE → delete.
 * Methods come upper-case from Node's parser and Fetch, so they are matched as they are first: upper-casing every
 * method cost about 430 instructions a call against 150 (callgrind; bench/README.md, "Instructions per request, settled").
 */
export function operationForMethod(method: string): string {
  switch (method) {
    case "POST":
      return "create";
    case "PUT":
    case "PATCH":
      return "update";
    case "DELETE":
      return "delete";
    case "GET":
    case "HEAD":
    case "OPTIONS":
      return "read";
  }
  const upper = method.toUpperCase();
  return upper === method ? "read" : operationForMethod(upper);
}
