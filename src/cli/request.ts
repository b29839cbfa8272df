// One request as the CLI describes it (flags of `explain`, steps of `hexarch test`), turned into a GuardContext.
import { operationForMethod, type GuardContext } from "../engine/context.js";
import { UsageError } from "./exit-codes.js";

/** The client a request comes from when none is given. */
export const DEFAULT_CLIENT = "127.0.0.1";

/** A request in the words of the command line and case files. */
export interface RequestFields {
  readonly method?: string | undefined;
  readonly path?: string | undefined;
  /** Operation tag(s); default: from the method (GET → read, POST → create, PUT/PATCH → update, DELETE → delete). */
  readonly operation?: string | readonly string[] | undefined;
  readonly resource?: string | undefined;
  readonly user?: string | undefined;
  readonly roles?: readonly string[] | undefined;
  /** Default: 127.0.0.1. */
  readonly client?: string | undefined;
  readonly env?: string | undefined;
  readonly feature?: string | undefined;
  readonly facts?: Readonly<Record<string, unknown>> | undefined;
  readonly confirm?: boolean | readonly string[] | undefined;
  readonly cost?: number | undefined;
}

/**
 * The GuardContext the middleware would build for this request at `now`.
 * @example requestContext({ method: "DELETE", path: "/users/7" }, now).operation // "delete"
 */
export function requestContext(fields: RequestFields, now: number): GuardContext {
  const method = fields.method?.toUpperCase();
  const operation = fields.operation ?? (method === undefined ? undefined : operationForMethod(method));
  const entries: [keyof GuardContext, unknown][] = [
    ["method", method],
    ["route", fields.path],
    ["operation", operation],
    ["resource", fields.resource],
    ["user", fields.user],
    ["roles", fields.roles],
    ["client", fields.client ?? DEFAULT_CLIENT],
    ["environment", fields.env],
    ["feature", fields.feature],
    ["facts", fields.facts],
    ["confirm", fields.confirm],
    ["cost", fields.cost],
    ["now", now],
  ];
  return Object.fromEntries(entries.filter(([, value]) => value !== undefined)) as GuardContext;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Reads an ISO 8601 instant with an explicit offset; a local time without one is refused as ambiguous.
 * @example parseInstant("2026-11-27T16:30:00-05:00") // 1795815000000
 */
export function parseInstant(text: string): number {
  const ms = INSTANT.test(text) ? Date.parse(text) : Number.NaN;
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
