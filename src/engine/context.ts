// What the engine knows about one call: who, what, where, when. Adapters build it; the engine never sees a request.
import { closestMatch } from "./config/suggest.js";

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
  /**
   * Confirmation already obtained: `true` for every policy, or the ids of the confirmed policies. It never stands for
   * a person's approval (`require_approval`): see `approval`.
   */
  readonly confirm?: boolean | readonly string[];
  /**
   * The id of the approval request this call retries with (from a refusal's `approval.id`). Admits the call once,
   * after a person approved that request for this same call; not part of what the request is bound to.
   */
  readonly approval?: string;
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
  /**
   * Input (prompt) tokens the call sends, a whole number; priced at the model's input price. A priced call reaching a
   * budget states it and `maxOutputTokens` (or its `cost`): without both, it reserves the rule's `max_cost_per_call`,
   * or is refused (`deny`, kind `cost`) where there is none.
   */
  readonly inputTokens?: number;
  /** The most output tokens the call may produce (its `max_tokens`), a whole number; priced at the output price. See `inputTokens`. */
  readonly maxOutputTokens?: number;
  /** Values for custom counter keys named in policies (`key: tenant`). */
  readonly keys?: Readonly<Record<string, string>>;
  /**
   * The instant of the call in epoch milliseconds; defaults to the guardian's clock. Anything but a number within
   * ±8.6e15 makes the call throw: a TypeError for a non-number, a RangeError for NaN, ±Infinity or out of range.
   */
  readonly now?: number;
}

/** Every field of a GuardContext, checked by the compiler against the interface: the names suggestions are drawn from. */
const CONTEXT_FIELDS = {
  operation: true,
  resource: true,
  resourceType: true,
  method: true,
  route: true,
  caseInsensitiveRoute: true,
  client: true,
  user: true,
  roles: true,
  apiKey: true,
  environment: true,
  facts: true,
  feature: true,
  confirm: true,
  approval: true,
  cost: true,
  model: true,
  inputTokens: true,
  maxOutputTokens: true,
  keys: true,
  now: true,
} as const satisfies Record<keyof GuardContext, true>;

const FIELD_NAMES: readonly string[] = Object.keys(CONTEXT_FIELDS);

/**
 * Whether `name` is a GuardContext field. A switch, not a Set: per field of a call, about 20 instructions against 80
 * (callgrind, one-field context: for…in alone 85, with the switch 106, with Set.has 163). Every field of CONTEXT_FIELDS
 * must be a case: tests/attacks/spend/unknown-context-fields.test.ts states a context with every field.
 */
function isContextField(name: string): boolean {
  switch (name) {
    case "operation":
    case "resource":
    case "resourceType":
    case "method":
    case "route":
    case "caseInsensitiveRoute":
    case "client":
    case "user":
    case "roles":
    case "apiKey":
    case "environment":
    case "facts":
    case "feature":
    case "confirm":
    case "approval":
    case "cost":
    case "model":
    case "inputTokens":
    case "maxOutputTokens":
    case "keys":
    case "now":
      return true;
    default:
      return false;
  }
}

/**
 * Spellings of the providers' SDKs that no edit distance leads to the field they mean. The decision API's and Python's
 * snake_case (`input_tokens`, `resource_type`) need no entry: closestMatch compares without case and `_`.
 */
const OTHER_SPELLINGS: Readonly<Record<string, keyof GuardContext>> = {
  max_tokens: "maxOutputTokens",
  maxTokens: "maxOutputTokens",
  max_completion_tokens: "maxOutputTokens",
  maxCompletionTokens: "maxOutputTokens",
  prompt_tokens: "inputTokens",
  promptTokens: "inputTokens",
};

/**
 * The error for a context that is not an object or has a field no GuardContext has, or undefined when every field is
 * known. A field the engine does not read would otherwise be ignored, and a call saying `input_tokens: 100000` in
 * place of `inputTokens` admitted for free; the error names the field meant. `where` names the call, e.g. `check()`.
 * Allocates nothing for a context whose fields are all known: for…in over the object, a switch per field.
 * @example contextError({ model: "gpt-4o", input_tokens: 10 }, "check()")?.message
 * // 'check(): unknown context field "input_tokens": did you mean "inputTokens"? …'
 */
export function contextError(ctx: unknown, where: string): TypeError | undefined {
  if (typeof ctx !== "object" || ctx === null || Array.isArray(ctx))
    return new TypeError(`${where}: the context must be an object of call facts, got ${ctx === null ? "null" : typeof ctx}`);
  for (const field in ctx) {
    if (isContextField(field)) continue;
    const meant = Object.hasOwn(OTHER_SPELLINGS, field) ? OTHER_SPELLINGS[field] : closestMatch(field, FIELD_NAMES);
    const fix = meant === undefined ? `the fields are ${FIELD_NAMES.join(", ")}` : `did you mean "${meant}"?`;
    return new TypeError(`${where}: unknown context field ${JSON.stringify(field)}: ${fix} (nothing was decided or counted)`);
  }
  return undefined;
}

/**
 * The operation tag of each method as Node's parser and Fetch spell it (upper case). The context builder of the
 * adapters looks a request's method up here directly, one map read per request.
 */
export const METHOD_OPERATIONS: ReadonlyMap<string, string> = new Map([
  ["GET", "read"],
  ["HEAD", "read"],
  ["OPTIONS", "read"],
  ["POST", "create"],
  ["PUT", "update"],
  ["PATCH", "update"],
  ["DELETE", "delete"],
]);

/**
 * Operation tag for an HTTP method: GET/HEAD/OPTIONS → read, POST → create, PUT/PATCH → update, DELETE → delete.
 * Methods come upper-case from Node's parser and Fetch, so they are matched as they are first: upper-casing every
 * method cost about 430 instructions a call against 150 (callgrind; bench/README.md, "Instructions per request, settled").
 */
export function operationForMethod(method: string): string {
  const operation = METHOD_OPERATIONS.get(method);
  if (operation !== undefined) return operation;
  const upper = method.toUpperCase();
  return upper === method ? "read" : operationForMethod(upper);
}
