// A refused tool call as the tool result the model and the client read: isError, a sentence, and the decision under _meta.
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Decision, DecisionApproval, Outcome } from "../../engine/decision.js";

/** The `_meta` key under which a refusal carries its decision. */
export const DECISION_META_KEY = "hexarch/decision";

/**
 * The `_meta` key of a tool call under which a client may send back the approval id a refusal gave it. Optional: the
 * same call (tool, arguments, session) finds its own request without it; with it, a refusal also says why that id
 * admitted nothing (`approval.rejected`: `used`, `another-call`, `expired`).
 */
export const APPROVAL_META_KEY = "hexarch/approval";

/**
 * Why a call that needed confirmation or approval did not get it: the client cannot ask (`unsupported`; for an
 * approval, also when the policy file names no page), the person said no (`declined`) or closed the question
 * (`cancelled`), no usable answer came (`unanswered`: a timeout, a lost connection, an answer of the wrong shape), or
 * the person opened the approval page but nobody approved while the call waited (`waiting`).
 */
export type ConfirmationFailure = "unsupported" | "declined" | "cancelled" | "unanswered" | "waiting";

/** The decision of a refused call, as `_meta["hexarch/decision"]` carries it (snake_case, as the decision API writes it). */
export interface RefusalMeta {
  /** `confirm`, `limit`, `deny` or `error`. */
  readonly outcome: Outcome;
  /** The decision's reason, e.g. `Policy 'search_rate' limits …`. */
  readonly reason: string;
  /** The policy that refused; null when none did (a call that could not be decided). */
  readonly policy: string | null;
  /** What in the rule refused (`rate`, `budget`, `confirm`, `time`…); null when unknown. */
  readonly kind: string | null;
  /** Seconds after which the same call can succeed; null when waiting will not help. */
  readonly retry_after: number | null;
  /** Why a call needing confirmation or approval did not run; absent for other refusals. */
  readonly confirmation?: ConfirmationFailure;
  /**
   * Under `require_approval`: the request the call waits on (its id, status, page without any sign-in, expiry), or the
   * one a person denied. The same call with the same arguments runs once after a person approves it.
   */
  readonly approval?: DecisionApproval;
}

/** What refused the call: a decision, or a call the guard could not decide (a context function that failed). */
export interface RefusedCall {
  readonly tool: string;
  readonly decision: Decision;
  readonly confirmation?: ConfirmationFailure | undefined;
  /** For `unanswered`: what went wrong, for the server's log and the text. */
  readonly detail?: string | undefined;
}

function retrySeconds(decision: Decision): number | null {
  return decision.retryAfter === undefined ? null : Math.max(1, Math.ceil(decision.retryAfter));
}

function confirmationAdvice(failure: ConfirmationFailure | undefined, detail: string | undefined): string {
  switch (failure) {
    case "declined":
      return "The user declined. Do not call it again unless the user asks for it.";
    case "cancelled":
      return "The user dismissed the question without confirming. Call it again only if the user asks for it.";
    case "unanswered":
      return `No usable answer came (${detail ?? "no answer"}). Call it again only if the user asks for it.`;
    default:
      return (
        "This client cannot ask the user to confirm (it does not support MCP elicitation). Ask the user to run it " +
        "from a client that supports elicitation, or to change the policy; retrying from this client will not help."
      );
  }
}

function approvalRejection(approval: DecisionApproval): string {
  switch (approval.rejected) {
    case "used":
      return "The approval of this call was used by an earlier run of it; this is a new request. ";
    case "another-call":
      return `The approval id sent in _meta["${APPROVAL_META_KEY}"] is not this call's; this call has its own request. `;
    case "expired":
      return "The earlier request expired; this is a new one. ";
    default:
      return "";
  }
}

function approvalFailure(approval: DecisionApproval, failure: ConfirmationFailure | undefined, detail: string | undefined): string {
  switch (failure) {
    case "unsupported":
      return approval.url === undefined
        ? "The policy file names no approvals.base_url, so there is no approval page to show. "
        : "This client cannot open the approval page for the user (it does not support MCP URL-mode elicitation). ";
    case "declined":
      return "The user declined to open the approval page. ";
    case "cancelled":
      return "The user dismissed the approval page. ";
    case "unanswered":
      return `No answer came to the approval question (${detail ?? "no answer"}). `;
    case "waiting":
      return "Nobody approved it while the call waited. ";
    default:
      return "";
  }
}

/** What a call waiting on a person says: why it did not wait longer, the request, where a person approves, what to do. */
function approvalAdvice(approval: DecisionApproval, failure: ConfirmationFailure | undefined, detail: string | undefined): string {
  const where =
    approval.url === undefined
      ? `A person approves it with \`hexarch approvals approve ${approval.id}\` or through the link sent to the notify targets.`
      : `A person approves it at ${approval.url} or through the link sent to the notify targets.`;
  return (
    `${approvalRejection(approval)}${approvalFailure(approval, failure, detail)}Approval request ${approval.id} is ` +
    `${approval.status} until ${approval.expires_at}. ${where} Retry the call with the same arguments after a person ` +
    "approves it: it then runs once."
  );
}

function whenToRetry(decision: Decision): string {
  const seconds = retrySeconds(decision);
  if (decision.outcome === "error" && seconds === null)
    return "The guardrail could not check the call; retrying will not help until the server is fixed.";
  if (seconds !== null) return `Retry in ${seconds} seconds.`;
  return "Retrying will not help until the policy or the call changes.";
}

/** The sentence a refusal says: the tool, what refused it and why, and when (or whether) to retry. */
export function refusalText(refused: RefusedCall): string {
  const { tool, decision } = refused;
  const head = `The tool "${tool}" was not run: ${decision.reason}.`;
  if (decision.outcome === "confirm" && decision.approval !== undefined)
    return `${head} ${approvalAdvice(decision.approval, refused.confirmation, refused.detail)}`;
  if (decision.outcome === "confirm" && decision.kind === "approval")
    return (
      `${head} No approval request could be made for this call (its arguments cannot be bound to one: over 1 MiB, ` +
      "or not JSON); retrying will not help."
    );
  if (decision.outcome === "confirm") return `${head} ${confirmationAdvice(refused.confirmation, refused.detail)}`;
  // A rate limit's reason ends with its own "retry in N s".
  return decision.kind === "rate" ? head : `${head} ${whenToRetry(decision)}`;
}

/**
 * The tool result of a refused call: `isError: true`, one text naming the tool, what refused it and when to retry,
 * and the decision under `_meta["hexarch/decision"]`. Never a protocol error: the model reads it like any tool error.
 * @example
 * refusalResult({ tool: "search", decision })
 * // { isError: true, content: [{ type: "text", text: "The tool \"search\" was not run: … retry in 42 s." }],
 * //   _meta: { "hexarch/decision": { outcome: "limit", retry_after: 42, … } } }
 */
export function refusalResult(refused: RefusedCall): CallToolResult {
  const { decision } = refused;
  const meta: RefusalMeta = {
    outcome: decision.outcome,
    reason: decision.reason,
    policy: decision.policyId ?? null,
    kind: decision.kind ?? null,
    retry_after: retrySeconds(decision),
    ...(refused.confirmation === undefined ? {} : { confirmation: refused.confirmation }),
    ...(decision.approval === undefined ? {} : { approval: decision.approval }),
  };
  return { content: [{ type: "text", text: refusalText(refused) }], isError: true, _meta: { [DECISION_META_KEY]: meta } };
}
