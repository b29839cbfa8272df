// RFC 9457 problem details for a refused call: what happened, which policy and rule, and what the client can do next.
import type { Decision, Outcome } from "../../engine/decision.js";
import { CONFIRM_HEADER, type IssuedToken, type TokenRejection } from "./confirm-token.js";

/** The status code each refusing outcome is answered with. */
export const STATUS_FOR: Readonly<Record<Exclude<Outcome, "allow" | "warn">, number>> = Object.freeze({
  confirm: 428,
  limit: 429,
  deny: 403,
  error: 503,
});

/** Default prefix of problem `type` URIs; the suffix names the problem (`rate-limited`, `confirmation-required`…). */
export const DEFAULT_PROBLEM_TYPE_BASE = "urn:hexarch:problem:";

/** How the client confirms, in a 428 body. */
export interface ConfirmInstructions {
  /** Request header to repeat the request with (absent when the app confirms its own way). */
  readonly header?: string;
  readonly token?: string;
  /** ISO 8601 instant after which the token is refused. */
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
}

/** What the 428 answer says about confirming. */
export interface ConfirmState {
  /** The token issued for this request; undefined when the app confirms its own way. */
  readonly issued?: IssuedToken;
  /** Why the token the request carried was refused. */
  readonly rejected?: TokenRejection;
  /** Why no token could be issued (a body the server cannot see), said instead of how to confirm. */
  readonly unbound?: string;
}

function nameAndTitle(decision: Decision): readonly [string, string] {
  switch (decision.outcome) {
    case "confirm":
      return ["confirmation-required", "Confirmation required"];
    case "limit":
      return decision.kind === "budget" ? ["budget-exhausted", "Budget exhausted"] : ["rate-limited", "Too many requests"];
    case "error":
      return ["policy-unavailable", "Policy could not be checked"];
    default:
      return ["forbidden-by-policy", "Forbidden by policy"];
  }
}

function confirmInstructions(state: ConfirmState): ConfirmInstructions {
  const rejected = state.rejected === undefined ? {} : { rejected: state.rejected };
  const { issued } = state;
  if (state.unbound !== undefined) return { ...rejected, how: state.unbound };
  if (issued === undefined) return { ...rejected, how: "confirm the operation as this API documents, then repeat the request" };
  return {
    header: CONFIRM_HEADER,
    token: issued.token,
    expires_at: new Date(issued.expiresAt).toISOString(),
    ...rejected,
    how: `repeat the same request (same method, path and body) with the header "${CONFIRM_HEADER}: <token>" before expires_at; a token works once`,
  };
}

/**
 * The problem body for a refused decision.
 * @param typeBase prefix of the `type` URI. Default: `urn:hexarch:problem:`.
 * @example problemFor(decision) // { type: "urn:hexarch:problem:rate-limited", title: "Too many requests", status: 429, ... }
 */
export function problemFor(decision: Decision, confirm: ConfirmState = {}, typeBase = DEFAULT_PROBLEM_TYPE_BASE): ProblemBody {
  const outcome = decision.outcome === "allow" || decision.outcome === "warn" ? "deny" : decision.outcome;
  const [name, title] = nameAndTitle(decision);
  const rule = decision.rule;
  return {
    type: `${typeBase}${name}`,
    title,
    status: STATUS_FOR[outcome],
    detail: decision.reason,
    outcome: decision.outcome,
    ...(decision.kind === undefined ? {} : { kind: decision.kind }),
    ...(decision.policyId === undefined ? {} : { policy: decision.policyId }),
    ...(rule === undefined ? {} : { rule: { index: rule.index, summary: rule.summary } }),
    ...(decision.retryAfter === undefined ? {} : { retry_after: Math.max(1, Math.ceil(decision.retryAfter)) }),
    ...(decision.outcome === "confirm" ? { confirm: confirmInstructions(confirm) } : {}),
  };
}
