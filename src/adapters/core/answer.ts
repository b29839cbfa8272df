// The HTTP contract: a decision in, the status, headers and body every adapter copies out.
import type { Decision } from "../../engine/decision.js";
import { DEFAULT_HEADERS, decisionHeaders, FIELD_NAMES, type HeaderSwitches, type HeaderTarget } from "./rate-headers.js";
import { APPROVAL_HEADER, DEFAULT_PROBLEM_TYPE_BASE, problemFor, type ConfirmState, type ProblemBody } from "./problem.js";

export type { HeaderTarget } from "./rate-headers.js";

/** What to do with a request: let it through with these headers, or answer it with this problem. */
export type HttpAnswer =
  | { readonly proceed: true; readonly status: undefined; readonly headers: Readonly<Record<string, string>>; readonly body: undefined }
  | { readonly proceed: false; readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: ProblemBody };

/** How answers are built. */
export interface AnswerOptions {
  /** Which headers to send. Default: `DEFAULT_HEADERS` (IETF fields, budget warnings, Retry-After). */
  readonly headers?: HeaderSwitches;
  /** Confirmation token issued for this request, and why the one it carried was refused. */
  readonly confirm?: ConfirmState;
  /** Prefix of problem `type` URIs. Default: `urn:hexarch:problem:`. */
  readonly problemTypeBase?: string;
  /**
   * The instant reset times count from, in epoch milliseconds. Default: when the store counted (`decision.countedAt`), else `Date.now()`.
   */
  readonly now?: number;
}

/**
 * Turns a decision into an HTTP answer: `allow`/`warn` proceed with rate-limit and budget-warning headers;
 * `deny` → 403, `limit` → 429, `confirm` → 428, `error` → 503, each with an RFC 9457 problem body, `Retry-After`
 * when the deciding rule says when to retry, and `Cache-Control: no-store`. A pure function of its arguments.
 * @example
 * const answer = answerFor(decision);
 * if (!answer.proceed) reply(answer.status, answer.headers, JSON.stringify(answer.body));
 */
export function answerFor(decision: Decision, options: AnswerOptions = {}): HttpAnswer {
  const headers = decisionHeaders(decision, options.headers ?? DEFAULT_HEADERS, options.now);
  if (decision.isAllowed()) return { proceed: true, status: undefined, headers, body: undefined };
  const body = problemFor(decision, options.confirm, options.problemTypeBase ?? DEFAULT_PROBLEM_TYPE_BASE);
  headers["Content-Type"] = "application/problem+json";
  if (decision.approval !== undefined) headers[APPROVAL_HEADER] = decision.approval.id;
  headers["Cache-Control"] = "no-store";
  return { proceed: false, status: body.status, headers, body };
}

/** The lower-case wire name of each field an answer can carry, by the name it has in the answer's record. */
const WIRE_NAME_OF: Readonly<Record<string, string>> = Object.fromEntries(
  [...(Object.values(FIELD_NAMES) as string[]), "Content-Type", "Cache-Control"].map((name) => [name, name.toLowerCase()]),
);

/**
 * Sets every header of an answer on a Node response, one `setHeader` per field under its lower-case wire name,
 * without the copying and checks of framework helpers (the values are already strings). Names outside hexarch's
 * own fields pass through unchanged.
 * @example setAnswerHeaders(res, answer.headers)
 */
export function setAnswerHeaders(target: HeaderTarget, headers: Readonly<Record<string, string>>): void {
  for (const name in headers) target.setHeader(WIRE_NAME_OF[name] ?? name, headers[name] as string);
}
