// The HTTP contract: a decision in, the status, headers and body every adapter copies out; for a refused call, RFC 9457
// problem details: what happened, which policy and rule, and what the client can do next.
import type { Decision, DecisionApproval, Outcome } from "../../engine/decision.js";
import type { UnboundBody } from "./body-digest.js";
import { CONFIRM_HEADER, type IssuedToken, type TokenRejection } from "./confirm-token.js";
import { DEFAULT_HEADERS, decisionHeaders, FIELD_NAMES, type HeaderSwitches, type HeaderTarget } from "./rate-headers.js";

/** The status code each refusing outcome is answered with. */
export const STATUS_FOR: Readonly<Record<Exclude<Outcome, "allow" | "warn">, number>> = Object.freeze({
  confirm: 428,
  limit: 429,
  deny: 403,
  error: 503,
});

/** The status of a call refused because the cost computed from its request is not an amount: the request is bad. */
const INVALID_COST_STATUS = 400;

/** Default prefix of problem `type` URIs; the suffix names the problem (`rate-limited`, `confirmation-required`…). */
export const DEFAULT_PROBLEM_TYPE_BASE = "urn:hexarch:problem:";

/** The header that names an approval request: on a 428 or 403 answer, and on the retry that waits for it. */
export const APPROVAL_HEADER = "Hexarch-Approval";

/** A request a person decides, in a 428 or 403 body: its state and what the caller can do. */
export interface ApprovalInstructions extends DecisionApproval {
  readonly how: string;
}

/** How the client confirms, in a 428 body. */
export interface ConfirmInstructions {
  /** Request header to repeat the request with (absent when the app confirms its own way). */
  readonly header?: string;
  readonly token?: string;
  /** ISO 8601 instant, to the millisecond, from which on the token is refused. */
  readonly expires_at?: string;
  /** Why a token sent with this request confirmed nothing. */
  readonly rejected?: TokenRejection;
  /** One sentence saying what to do. */
  readonly how: string;
}

/** An `application/problem+json` body. */
export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly outcome: Outcome;
  readonly kind?: string;
  /** Id of the policy that refused the call. */
  readonly policy?: string;
  /** The deciding rule: its position in the policy and a one-line summary. */
  readonly rule?: { readonly index: number; readonly summary: string };
  /** Seconds after which a retry can succeed. */
  readonly retry_after?: number;
  readonly confirm?: ConfirmInstructions;
  readonly approval?: ApprovalInstructions;
}

/** What the 428 answer says about confirming. */
export interface ConfirmState {
  /** The token issued for this request; undefined when the app confirms its own way. */
  readonly issued?: IssuedToken;
  /** Why the token the request carried was refused. */
  readonly rejected?: TokenRejection;
  /** Why no token can be bound to the request's body: the answer is then this 413 or 400, not a 428. */
  readonly unbound?: UnboundBody;
  /** Why no token was issued for a body the server cannot see (no parser before hexarch), said instead of how to confirm. */
  readonly unread?: string;
}

function nameAndTitle(decision: Decision, unbound: UnboundBody | undefined): readonly [string, string] {
  if (unbound !== undefined)
    return unbound.status === 413
      ? ["body-too-large", "Request body too large to confirm"]
      : ["body-not-bindable", "Request body cannot be confirmed"];
  if (decision.approval !== undefined)
    return decision.outcome === "deny" ? ["approval-denied", "Denied by an approver"] : ["approval-required", "Approval required"];
  switch (decision.outcome) {
    case "confirm":
      return ["confirmation-required", "Confirmation required"];
    case "limit":
      return decision.kind === "budget" ? ["budget-exhausted", "Budget exhausted"] : ["rate-limited", "Too many requests"];
    case "error":
      return ["policy-unavailable", "Policy could not be checked"];
    case "deny":
      return decision.kind === "cost" ? ["invalid-cost", "Invalid cost"] : ["forbidden-by-policy", "Forbidden by policy"];
    default:
      return ["forbidden-by-policy", "Forbidden by policy"];
  }
}

function confirmInstructions(state: ConfirmState): ConfirmInstructions {
  const rejected = state.rejected === undefined ? {} : { rejected: state.rejected };
  const { issued } = state;
  if (state.unread !== undefined) return { ...rejected, how: state.unread };
  if (issued === undefined) return { ...rejected, how: "confirm the operation as this API documents, then repeat the request" };
  return {
    header: CONFIRM_HEADER,
    token: issued.token,
    expires_at: new Date(issued.expiresAt).toISOString(),
    ...rejected,
    how: `repeat the same request (same method, path and body) with the header "${CONFIRM_HEADER}: <token>" before expires_at; a token works once`,
  };
}

function approvalInstructions(approval: DecisionApproval): ApprovalInstructions {
  const how =
    approval.status === "denied"
      ? "a person denied this request; ask them, or change the call"
      : `a person must approve this request${approval.url === undefined ? "" : " (at url)"}; then repeat the same request (same method, path and body) with the header "${APPROVAL_HEADER}: <id>" before expires_at; an approval works once`;
  return { ...approval, how };
}

function unboundDetail(decision: Decision, unbound: UnboundBody): string {
  const fix =
    unbound.status === 413
      ? "send a smaller body"
      : "send the body as plain JSON (objects, arrays, strings, finite numbers, booleans, null)";
  return `Policy '${decision.policyId ?? "?"}' requires confirmation, but a confirmation token cannot be bound to this request body: ${unbound.reason}; ${fix}`;
}

/**
 * The problem body for a refused decision. A confirmation whose token cannot be bound to the request's body
 * (`confirm.unbound`) is answered with that 413 or 400 instead of a 428, without a token.
 * @param typeBase prefix of the `type` URI. Default: `urn:hexarch:problem:`.
 * @example problemFor(decision) // { type: "urn:hexarch:problem:rate-limited", title: "Too many requests", status: 429, ... }
 */
export function problemFor(decision: Decision, confirm: ConfirmState = {}, typeBase = DEFAULT_PROBLEM_TYPE_BASE): ProblemBody {
  const outcome = decision.outcome === "allow" || decision.outcome === "warn" ? "deny" : decision.outcome;
  const unbound = decision.outcome === "confirm" ? confirm.unbound : undefined;
  const [name, title] = nameAndTitle(decision, unbound);
  const rule = decision.rule;
  return {
    type: `${typeBase}${name}`,
    title,
    status: unbound?.status ?? (decision.kind === "cost" ? INVALID_COST_STATUS : STATUS_FOR[outcome]),
    detail: unbound === undefined ? decision.reason : unboundDetail(decision, unbound),
    outcome: decision.outcome,
    ...(decision.kind === undefined ? {} : { kind: decision.kind }),
    ...(decision.policyId === undefined ? {} : { policy: decision.policyId }),
    ...(rule === undefined ? {} : { rule: { index: rule.index, summary: rule.summary } }),
    ...(decision.retryAfter === undefined ? {} : { retry_after: Math.max(1, Math.ceil(decision.retryAfter)) }),
    ...(decision.outcome === "confirm" && unbound === undefined && decision.approval === undefined
      ? { confirm: confirmInstructions(confirm) }
      : {}),
    ...(decision.approval === undefined || unbound !== undefined ? {} : { approval: approvalInstructions(decision.approval) }),
  };
}

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
