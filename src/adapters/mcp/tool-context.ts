// One tool call → the GuardContext it is decided on: the tool as resource, its annotations as operation, the session as client.
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import type { ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import { contextError, type GuardContext } from "../../engine/context.js";
import { PolicyConfigError } from "../../errors/config-error.js";
import type { ToolCallExtra } from "./server-hooks.js";

/** The resource type of every tool call: what `resource_types: [mcp_tool]` scopes a rule to. */
export const TOOL_RESOURCE_TYPE = "mcp_tool";

/** One call of one tool, as a `context` function sees it. */
export interface ToolCall {
  /** The tool's name: the call's `resource`. */
  readonly name: string;
  /**
   * The arguments as the client sent them, before the tool's input schema checked them: untrusted, possibly of any
   * shape and size. Read what you need (a prompt's length, a model name) defensively.
   */
  readonly arguments: Readonly<Record<string, unknown>>;
  /** The tool's annotations as registered (`readOnlyHint`, `destructiveHint`…), read at the moment of the call. */
  readonly annotations: ToolAnnotations | undefined;
  /** The SDK's `extra` of the request: `sessionId`, `authInfo`, `signal`, `requestId`. */
  readonly extra: ToolCallExtra;
}

/** What a `context` entry may state about a call: the facts a policy can read, beyond the tool, its session and user. */
export type ToolFacts = Pick<
  GuardContext,
  "operation" | "user" | "roles" | "apiKey" | "cost" | "model" | "inputTokens" | "maxOutputTokens" | "facts" | "feature" | "keys"
>;

/** Facts for one tool: fixed, or computed from the call (a promise for facts that need a look-up). */
export type ToolFactsSource = ToolFacts | ((call: ToolCall) => ToolFacts | undefined | Promise<ToolFacts | undefined>);

/** The `context` option: one function for every tool, or facts per tool name. */
export type ToolContextOption =
  ((call: ToolCall) => ToolFacts | undefined | Promise<ToolFacts | undefined>) | Readonly<Record<string, ToolFactsSource>>;

const FACT_FIELDS: ReadonlySet<string> = new Set([
  "operation",
  "user",
  "roles",
  "apiKey",
  "cost",
  "model",
  "inputTokens",
  "maxOutputTokens",
  "facts",
  "feature",
  "keys",
] satisfies readonly (keyof ToolFacts)[]);

/**
 * The operation MCP's own defaults give a tool: `readOnlyHint: true` → `read`; else `destructiveHint: false` →
 * `write`; else `delete`, since MCP presumes a tool that says nothing may destroy.
 */
export function operationOf(annotations: ToolAnnotations | undefined): string {
  if (annotations?.readOnlyHint === true) return "read";
  if (annotations?.destructiveHint === false) return "write";
  return "delete";
}

/** The user of an authenticated request: the token's subject (`authInfo.extra.sub`), else its OAuth client id. */
export function userOf(authInfo: AuthInfo | undefined): string | undefined {
  if (authInfo === undefined) return undefined;
  const subject = authInfo.extra?.["sub"];
  if (typeof subject === "string" && subject !== "") return subject;
  return typeof authInfo.clientId === "string" && authInfo.clientId !== "" ? authInfo.clientId : undefined;
}

/** Why `facts` cannot be a tool's facts, or undefined when it can. `where` names the entry, e.g. `context.delete_file`. */
export function factsProblem(facts: unknown, where: string): string | undefined {
  if (facts === undefined) return undefined;
  if (typeof facts !== "object" || facts === null || Array.isArray(facts))
    return `${where} must be an object of call facts, got ${facts === null ? "null" : Array.isArray(facts) ? "an array" : typeof facts}`;
  for (const field of Object.keys(facts)) {
    if (FACT_FIELDS.has(field)) continue;
    const unknown = contextError({ [field]: true }, where);
    if (unknown !== undefined) return unknown.message.replace(" (nothing was decided or counted)", "");
    return `${where}: "${field}" is not a fact a tool states (guardTools() sets resource, client and confirm itself); the facts are ${[...FACT_FIELDS].join(", ")}`;
  }
  return undefined;
}

function optionProblem(path: string, message: string, fix: string): PolicyConfigError {
  return new PolicyConfigError([{ file: "<options>", path: `guardTools().${path}`, message, fix }], "invalid options for guardTools()");
}

/** Checks the `context` option once, at construction: a function, or per tool name a function or valid facts. */
export function checkContextOption(context: ToolContextOption | undefined): void {
  if (context === undefined || typeof context === "function") return;
  for (const [tool, source] of Object.entries(context)) {
    if (typeof source === "function") continue;
    const problem = factsProblem(source, `context.${tool}`);
    if (problem !== undefined)
      throw optionProblem(
        `context.${tool}`,
        problem,
        "give the tool's facts as { operation, cost, model, facts, … }, or a function of the call returning them",
      );
  }
}

/** The facts source for a tool: the one function, or the tool's own entry (an own property only: `constructor` is a tool name like any). */
export function factsSourceFor(context: ToolContextOption | undefined, tool: string): ToolFactsSource | undefined {
  if (context === undefined || typeof context === "function") return context;
  return Object.hasOwn(context, tool) ? context[tool] : undefined;
}

/**
 * The context of one call: resource = the tool, `resource_type: mcp_tool`, the operation its annotations give, the
 * client and user, then `facts` (what `context` stated for it, which may change the operation). Throws a TypeError
 * when `facts` is not a tool's facts.
 */
export function contextFor(call: ToolCall, client: string, facts: unknown, environment: string | undefined): GuardContext {
  const user = userOf(call.extra.authInfo);
  const base: GuardContext = {
    resource: call.name,
    resourceType: TOOL_RESOURCE_TYPE,
    operation: operationOf(call.annotations),
    client,
    ...(user === undefined ? {} : { user }),
    ...(environment === undefined ? {} : { environment }),
  };
  if (facts === undefined) return base;
  const problem = factsProblem(facts, `the context of "${call.name}"`);
  if (problem !== undefined) throw new TypeError(problem);
  // A fact stated as undefined leaves the default in place: `operation: undefined` must not unscope the call.
  const merged: Record<string, unknown> & GuardContext = { ...base };
  for (const [field, value] of Object.entries(facts as ToolFacts)) if (value !== undefined) merged[field] = value;
  return merged;
}
