// guardian.approvals: decide, list and wait on approval requests in process, and the approval step of every entry point.
import type { GuardContext } from "../../engine/context.js";
import type { Decision, DecisionApproval } from "../../engine/decision.js";
import type { PolicySet } from "../../engine/compile/policy-set.js";
import type { JsonValue } from "../../log/canonical.js";
import { ApprovalDecisionError, ApprovalDesk, type ApprovalDeskOptions } from "./approval-desk.js";
import { decideAdmitted, decideWithApproval, type DecideFn } from "./approval-gate.js";
import { approvalBinding, type ApprovalRecord, type ApprovalSubject } from "./approval-record.js";

export { ApprovalDecisionError } from "./approval-desk.js";
export type { ApprovalSubject } from "./approval-record.js";

/** An approval request with what it asks: what `list()` and `get()` give. */
export interface ApprovalDetails extends DecisionApproval {
  /** The policy whose `require_approval` rule asked. */
  readonly policy: string;
  /** What the call does and why it was stopped. */
  readonly subject: ApprovalSubject;
  /** ISO 8601 instant the request was made. */
  readonly created_at: string;
}

/** Hears every step of an approval request: `step` and the request as it stands after it. */
export type ApprovalStepListener = (step: "requested" | "approved" | "denied" | "used" | "expired", approval: ApprovalDetails) => void;

/** What an adapter or the decision server binds a call to, and the decision already made for it, if any. */
export interface ApprovalCall {
  /** The policies asked (undefined: every policy). */
  readonly policies?: readonly string[] | undefined;
  /** The fields that make the call this call: HTTP method, path, body digest, client; the server's caller and context. */
  readonly binding: Readonly<Record<string, JsonValue | undefined>>;
  /** The decision already made for a call that carries no approval id (saves deciding twice); ignored with an id. */
  readonly decided?: Decision | undefined;
  /**
   * For a later guard of one HTTP request: the approval id an earlier guard of the same request was admitted by (its
   * allowed decision carried `approval.status: "used"`). Its policy counts as approved here without being taken again.
   * Only server-side per-request state may set it, never a value the caller sent.
   */
  readonly admittedBy?: string | undefined;
  /**
   * Facts a person is shown about the call besides the context's (an MCP tool call's arguments), as entries of the
   * request's `subject.facts`. Default: none.
   */
  readonly shown?: Readonly<Record<string, string | number | boolean | null>> | undefined;
}

/**
 * A guardian's approval requests: a person approves or denies them here (or through `hexarch approvals`, the decision
 * server's API or its approval page), and scripts that can block wait on them.
 * @example
 * try { await dropTable("users"); } catch (e) {
 *   if (e instanceof PolicyViolation && e.approval) { await guardian.approvals.wait(e.approval.id, { timeoutMs: 600_000 }); }
 * }
 */
export interface GuardianApprovals {
  /** A person approves a pending request. Rejects with ApprovalDecisionError when it is unknown or no longer pending. */
  approve(id: string, options: { readonly by: string }): Promise<ApprovalDetails>;
  /** A person denies a pending request, saying why. Rejects like approve(). */
  deny(id: string, options: { readonly by: string; readonly reason: string }): Promise<ApprovalDetails>;
  /** Every pending request within its time, oldest first. */
  list(): Promise<ApprovalDetails[]>;
  /** One request, whatever it stands at, or undefined for an unknown id. */
  get(id: string): Promise<ApprovalDetails | undefined>;
  /**
   * Waits until a person decided the request (or its time is over, or `timeoutMs` passed: default 60 s, or `signal`
   * aborted) and gives it as it then stands; `status` stays `pending` after a timeout or an abort. Rejects with
   * ApprovalDecisionError for an unknown id.
   */
  wait(id: string, options?: { readonly timeoutMs?: number; readonly signal?: AbortSignal }): Promise<ApprovalDetails>;
  /**
   * For hexarch's HTTP adapters and decision server: decides a call under the approval protocol, bound to the given
   * fields (an approval admits only the call it was asked for).
   */
  decide(context: GuardContext, call: ApprovalCall): Promise<Decision>;
  /** True when the link key of a notification opens this pending request (the approval page's sign-in by link). */
  linkOpens(id: string, key: string): Promise<boolean>;
}

/** How often wait() looks at the store. */
const WAIT_POLL_MS = 100;

/** The approvals of one guardian, on its desk. */
export function guardianApprovals(
  deskOptions: ApprovalDeskOptions,
  set: PolicySet,
  decideFor: (policies: readonly string[] | undefined) => DecideFn,
): GuardianApprovals {
  let desk: ApprovalDesk | undefined;
  // Made on first use: a store without swapText fails only when approvals are used.
  const open = (): ApprovalDesk => (desk ??= new ApprovalDesk(deskOptions));
  const details = (record: ApprovalRecord): ApprovalDetails => ({
    ...open().view(record),
    policy: record.policy,
    subject: record.subject,
    created_at: new Date(record.created_at).toISOString(),
  });
  const get = async (id: string) => {
    const record = await open().get(id);
    return record === undefined ? undefined : details(record);
  };
  return {
    approve: async (id, { by }) => details(await open().approve(id, by)),
    deny: async (id, { by, reason }) => details(await open().deny(id, by, reason)),
    list: async () => (await open().list()).map(details),
    get,
    wait: async (id, options = {}) => {
      const until = Date.now() + (options.timeoutMs ?? 60_000);
      for (;;) {
        const found = await get(id);
        if (found === undefined)
          throw new ApprovalDecisionError("HEXARCH_APPROVAL_UNKNOWN", `no approval request ${JSON.stringify(id.slice(0, 40))}`);
        if (found.status !== "pending" || Date.now() >= until || options.signal?.aborted === true) return found;
        await new Promise((resolve) => setTimeout(resolve, Math.min(WAIT_POLL_MS, Math.max(until - Date.now(), 1))));
      }
    },
    decide: async (context, call) => {
      const decide = decideFor(call.policies);
      if (call.admittedBy !== undefined && call.admittedBy === context.approval)
        return decideAdmitted(open(), context, call.admittedBy, decide);
      // A decision made beforehand stands in only for a call without an id: with one, the call is decided as approved.
      const first = context.approval === undefined ? call.decided : undefined;
      const decideFirst = first === undefined ? decide : oneShot(first, decide);
      return decideWithApproval(open(), set, context, approvalBinding(call.binding), decideFirst, call.shown);
    },
    linkOpens: (id, key) => open().linkOpens(id, key),
  };
}

/** `decide`, answering its first call with a decision already made. */
function oneShot(first: Decision, decide: DecideFn): DecideFn {
  let used = false;
  return (ctx) => {
    if (used) return decide(ctx);
    used = true;
    return first;
  };
}
