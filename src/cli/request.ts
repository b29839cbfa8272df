// One request as the CLI describes it (flags of `explain`, steps of `hexarch test`), turned into a GuardContext.
import { toContext, type HttpRequestView, type RequestFacts } from "../adapters/core/index.js";
import type { GuardContext } from "../index.js";
import { UsageError } from "./exit-codes.js";

/** The client a request comes from when none is given. */
const DEFAULT_CLIENT = "127.0.0.1";

/** A request in the words of the command line and case files. */
export interface RequestFields {
  readonly method?: string | undefined;
  readonly path?: string | undefined;
  /** Operation tag(s); default: from the method (GET → read, POST → create, PUT/PATCH → update, DELETE → delete). */
  readonly operation?: string | readonly string[] | undefined;
  readonly resource?: string | undefined;
  /** Matched against a rule's `resource_types`. */
  readonly resource_type?: string | undefined;
  readonly user?: string | undefined;
  /** API key (or its digest), for `key: api_key`. */
  readonly api_key?: string | undefined;
  readonly roles?: readonly string[] | undefined;
  /** Default: 127.0.0.1. */
  readonly client?: string | undefined;
  readonly env?: string | undefined;
  readonly feature?: string | undefined;
  readonly facts?: Readonly<Record<string, unknown>> | undefined;
  readonly confirm?: boolean | readonly string[] | undefined;
  readonly cost?: number | undefined;
  /** The AI model the call uses, priced by the file's `prices:`. */
  readonly model?: string | undefined;
  /** Input tokens the call sends. */
  readonly input_tokens?: number | undefined;
  /** The most output tokens the call may produce (its max_tokens). */
  readonly max_output_tokens?: number | undefined;
  /** Values for custom counter keys (`key: tenant` in a rule). */
  readonly keys?: Readonly<Record<string, string>> | undefined;
}

/** Keeps the entries whose value is defined, so optional fields stay absent rather than undefined. */
function defined<T extends object>(entries: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined)) as T;
}

/** The request as the HTTP adapters see it: method, URL and peer address, with no headers or body. */
function requestView(fields: RequestFields): HttpRequestView {
  return {
    method: (fields.method ?? "GET").toUpperCase(),
    url: fields.path ?? "/",
    header: () => undefined,
    clientAddress: fields.client ?? DEFAULT_CLIENT,
    body: () => undefined,
  };
}

/**
 * The GuardContext the middleware would build for this request at `now`: with a method or a path, through the
 * adapters' own context builder (operation from the method, path without its query, IPv6 clients grouped by /64);
 * without either, a plain function call as `protect()` sees it.
 * @example requestContext({ method: "DELETE", path: "/users/7" }, now).operation // "delete"
 */
export function requestContext(fields: RequestFields, now: number): GuardContext {
  const facts = defined<Pick<GuardContext, keyof RequestFacts<undefined>>>({
    operation: fields.operation,
    resource: fields.resource,
    resourceType: fields.resource_type,
    user: fields.user,
    apiKey: fields.api_key,
    roles: fields.roles,
    environment: fields.env,
    feature: fields.feature,
    facts: fields.facts,
    cost: fields.cost,
    model: fields.model,
    inputTokens: fields.input_tokens,
    maxOutputTokens: fields.max_output_tokens,
  });
  const isHttp = fields.method !== undefined || fields.path !== undefined;
  const base = isHttp ? toContext(requestView(fields), undefined, facts) : { ...facts, client: fields.client ?? DEFAULT_CLIENT };
  return { ...base, ...defined<GuardContext>({ confirm: fields.confirm, keys: fields.keys, now }) };
}

/**
 * An ISO 8601 date and time with an explicit offset (`Z` or `±HH:MM`), seconds and milliseconds optional.
 * @example INSTANT_PATTERN.test("2026-11-27T16:30:00-05:00") // true
 */
export const INSTANT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Reads an ISO 8601 instant with an explicit offset; a local time without one is refused as ambiguous.
 * @example parseInstant("2026-11-27T16:30:00-05:00") // 1795815000000
 */
export function parseInstant(text: string): number {
  const ms = INSTANT_PATTERN.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new UsageError(`"${text}" is not a date and time with an offset; write e.g. 2026-11-27T16:30:00-05:00 or 2026-11-27T21:30:00Z`);
  }
  return ms;
}

/**
 * Reads a fact value as YAML would: true/false, a number, else the text.
 * @example factValue("true") // true
 */
export function factValue(text: string): string | number | boolean {
  if (text === "true" || text === "false") return text === "true";
  const number = text.trim() === "" ? Number.NaN : Number(text);
  return Number.isFinite(number) ? number : text;
}
