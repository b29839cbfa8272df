// The context as the decision API and the decision log spell it (snake_case), and the one table that maps it to and from GuardContext.
import type { GuardContext } from "./context.js";

/** The context of a decision request on the wire. */
export interface WireContext {
  operation?: string | readonly string[] | undefined;
  resource?: string | undefined;
  resource_type?: string | undefined;
  route?: string | undefined;
  method?: string | undefined;
  client?: string | undefined;
  user?: string | undefined;
  roles?: readonly string[] | undefined;
  api_key?: string | undefined;
  environment?: string | undefined;
  facts?: Readonly<Record<string, string | number | boolean | null>> | undefined;
  feature?: string | undefined;
  cost?: number | undefined;
  keys?: Readonly<Record<string, string>> | undefined;
  model?: string | undefined;
  input_tokens?: number | undefined;
  max_output_tokens?: number | undefined;
}

/**
 * Each wire field and the GuardContext field it is. `confirm` and `now` are never sent: a server confirms with tokens and decides at its
 * own clock.
 */
const FIELDS: readonly (readonly [keyof WireContext, keyof GuardContext])[] = [
  ["operation", "operation"],
  ["resource", "resource"],
  ["resource_type", "resourceType"],
  ["route", "route"],
  ["method", "method"],
  ["client", "client"],
  ["user", "user"],
  ["roles", "roles"],
  ["api_key", "apiKey"],
  ["environment", "environment"],
  ["facts", "facts"],
  ["feature", "feature"],
  ["cost", "cost"],
  ["keys", "keys"],
  ["model", "model"],
  ["input_tokens", "inputTokens"],
  ["max_output_tokens", "maxOutputTokens"],
];

/**
 * The GuardContext of a wire context (already validated): only the fields stated are set; the method in upper case.
 * @example toGuardContext({ operation: "delete", resource_type: "table" }) // { operation: "delete", resourceType: "table" }
 */
export function toGuardContext(wire: WireContext): { -readonly [K in keyof GuardContext]: GuardContext[K] } {
  const ctx: Record<string, unknown> = {};
  for (const [wireName, name] of FIELDS) if (wire[wireName] !== undefined) ctx[name] = wire[wireName];
  if (typeof ctx["method"] === "string") ctx["method"] = ctx["method"].toUpperCase();
  return ctx;
}

/**
 * The wire context of a GuardContext: the reverse of toGuardContext.
 * @example toWireContext({ resourceType: "table", apiKey: "k" }) // { resource_type: "table", api_key: "k" }
 */
export function toWireContext(ctx: GuardContext): WireContext {
  const wire: Record<string, unknown> = {};
  for (const [wireName, name] of FIELDS) if (ctx[name] !== undefined) wire[wireName] = ctx[name];
  return wire;
}
