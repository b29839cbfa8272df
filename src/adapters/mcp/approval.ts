// A person's approval of one tool call: bound to tool, arguments and session, shown through URL-mode elicitation, waited on.
import { randomUUID } from "node:crypto";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { GuardContext } from "../../engine/context.js";
import type { Decision, DecisionApproval } from "../../engine/decision.js";
import type { Guardian } from "../../guardian/create-guardian.js";
import type { ShownFacts } from "../../guardian/approvals/approval-record.js";
import type { Logger } from "../../errors/warnings.js";
import { bodyDigest } from "../core/body-digest.js";
import type { RawToolCall, ToolCallExtra } from "./server-hooks.js";
import { APPROVAL_META_KEY, type ConfirmationFailure } from "./tool-results.js";

/** The longest approval id read from a call's `_meta` (ids are 25 characters; anything longer names no request). */
const MAX_APPROVAL_ID = 100;

/** How many arguments the approval page shows, and how many characters of each name and value. */
const SHOWN_ARGUMENTS = 20;
const SHOWN_NAME_LENGTH = 64;
const SHOWN_VALUE_LENGTH = 200;

/** How often a call waiting for a person reports progress, when its client asked for progress (a `progressToken`). */
const PROGRESS_EVERY_MS = 10_000;

/** What makes a tool call this call, for its approval: the tool, a digest of its arguments, the session. */
export type ToolBinding = Readonly<Record<string, string>>;

/**
 * The binding of a call: tool, SHA-256 of its arguments in canonical form (key order does not matter), the session.
 * Undefined when the arguments cannot be bound (over 1 MiB in canonical form, or holding a value JSON cannot carry).
 */
export function toolBinding(tool: string, args: unknown, client: string): ToolBinding | undefined {
  const digest = bodyDigest(args);
  return typeof digest === "string" ? { via: "mcp", tool, arguments: digest, client } : undefined;
}

function clipped(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

function shownValue(value: unknown): string | number | boolean | null {
  if (value === null || typeof value === "number" || typeof value === "boolean") return value;
  if (typeof value === "string") return clipped(value, SHOWN_VALUE_LENGTH);
  try {
    return clipped(JSON.stringify(value) ?? typeof value, SHOWN_VALUE_LENGTH);
  } catch {
    return "(not shown)";
  }
}

/**
 * The arguments as the person deciding sees them on the approval page and in notifications: `arguments.<name>` facts,
 * the first 20, names and values clipped (the agent wrote them: the page escapes them, and they decide nothing).
 */
export function argumentsShown(args: Readonly<Record<string, unknown>>): ShownFacts {
  const names = Object.keys(args);
  const shown: Record<string, string | number | boolean | null> = {};
  for (const name of names.slice(0, SHOWN_ARGUMENTS)) shown[`arguments.${clipped(name, SHOWN_NAME_LENGTH)}`] = shownValue(args[name]);
  if (names.length > SHOWN_ARGUMENTS) shown["arguments not shown"] = names.length - SHOWN_ARGUMENTS;
  return shown;
}

/**
 * The approval id a client sent back in `_meta["hexarch/approval"]`, or undefined. It changes nothing about what runs
 * (the binding finds the call's own request); it lets the refusal say why that id admitted nothing.
 */
export function approvalIdOf(request: RawToolCall): string | undefined {
  const meta = request.params?._meta;
  if (typeof meta !== "object" || meta === null) return undefined;
  const id: unknown = (meta as Record<string, unknown>)[APPROVAL_META_KEY];
  return typeof id === "string" && id.trim() !== "" ? id.trim().slice(0, MAX_APPROVAL_ID) : undefined;
}

/**
 * Decides a call a `require_approval` rule refused (`decided`), or one carrying an approval id, under the guardian's
 * approval protocol, bound to `binding`: the request already asked for this call (or a new one); when a person
 * approved it, the approval is taken here (once, across instances) and the call decided as approved. A new request
 * shows the person `shown` (the call's arguments).
 */
export async function decideUnderApproval(
  guardian: Guardian,
  ctx: GuardContext,
  binding: ToolBinding,
  decided: Decision | undefined,
  shown: ShownFacts,
): Promise<Decision> {
  const decision = await guardian.approvals.decide(ctx, { binding, decided, shown });
  const approval = decision.approval;
  if (decision.outcome !== "confirm" || decision.kind !== "approval" || approval?.status !== "approved") return decision;
  return guardian.approvals.decide({ ...ctx, approval: approval.id }, { binding });
}

/** Whether the client said, when it connected, that it can open a URL for the user (`elicitation: { url: {} }`). */
export function canAskUrl(protocol: Server): boolean {
  const url = protocol.getClientCapabilities()?.elicitation?.url;
  return typeof url === "object" && url !== null;
}

/** How long each step may take, in milliseconds. */
export interface ApprovalTimes {
  /** For the user to answer the elicitation (open the page, or not). */
  readonly answerMs: number;
  /** For a person to decide once the page was opened (never past the request's expiry). */
  readonly decideMs: number;
}

/** The end of asking: a person decided (approved, denied, or the request's time ran out), or why the call stops here. */
export type ApprovalAnswer =
  { readonly decided: true } | { readonly decided: false; readonly failure: ConfirmationFailure; readonly detail?: string };

/**
 * Tells a client that asked for progress (`_meta.progressToken`) that the call is waiting for a person: now, then every
 * 10 s, so a client that resets its request timeout on progress keeps waiting. Returns the function that stops it.
 */
function reportWaiting(extra: ToolCallExtra, id: string): () => void {
  const progressToken = extra._meta?.progressToken;
  if (progressToken === undefined) return () => {};
  let progress = 0;
  const report = (): void => {
    const params = { progressToken, progress: progress++, message: `waiting for a person to decide approval request ${id}` };
    // A notification that cannot be sent means the connection is gone, which ends the call's wait anyway.
    extra.sendNotification({ method: "notifications/progress", params }).catch(() => {});
  };
  report();
  const timer = setInterval(report, PROGRESS_EVERY_MS);
  return () => clearInterval(timer);
}

/**
 * Shows the person behind the client the approval page through an elicitation in URL mode, on the call's own request
 * (the page's address only: never a key that approves), then waits for a person to decide. Accepting the elicitation
 * only opens the page: the call goes on when the request is decided, and whoever decides signs in on the page or
 * follows the notification's link. After a decision, tells the client the elicitation is complete. Never throws.
 */
export async function askForApproval(
  protocol: Server,
  guardian: Guardian,
  tool: string,
  approval: DecisionApproval,
  extra: ToolCallExtra,
  times: ApprovalTimes,
  logger: Logger,
): Promise<ApprovalAnswer> {
  if (approval.url === undefined || !canAskUrl(protocol)) return { decided: false, failure: "unsupported" };
  const elicitationId = randomUUID();
  const message =
    `The tool "${tool}" needs a person's approval (request ${approval.id}). Open the approval page: whoever may ` +
    "approve signs in there, or uses the link sent to them.";
  let answer;
  try {
    answer = await protocol.elicitInput(
      { mode: "url", url: approval.url, elicitationId, message },
      { relatedRequestId: extra.requestId, signal: extra.signal, timeout: times.answerMs },
    );
  } catch (error) {
    return { decided: false, failure: "unanswered", detail: error instanceof Error ? error.message : String(error) };
  }
  if (answer.action === "decline") return { decided: false, failure: "declined" };
  if (answer.action !== "accept") return { decided: false, failure: "cancelled" };
  const untilExpiry = Date.parse(approval.expires_at) - Date.now();
  const stopReporting = reportWaiting(extra, approval.id);
  let found;
  try {
    found = await guardian.approvals.wait(approval.id, {
      timeoutMs: Math.max(Math.min(times.decideMs, untilExpiry), 0),
      signal: extra.signal,
    });
  } catch (error) {
    return { decided: false, failure: "unanswered", detail: error instanceof Error ? error.message : String(error) };
  } finally {
    stopReporting();
  }
  // A call the client cancelled while it waited leaves an approval for the retry: it is not taken now.
  if (extra.signal.aborted) return { decided: false, failure: "unanswered", detail: "the call was cancelled" };
  if (found.status === "pending") return { decided: false, failure: "waiting" };
  if (found.status === "approved" || found.status === "denied") {
    await protocol
      .createElicitationCompletionNotifier(elicitationId, { relatedRequestId: extra.requestId })()
      .catch((error: unknown) => logger.warn({ err: error, tool }, "hexarch: could not tell the client the approval is complete"));
  }
  return { decided: true };
}
