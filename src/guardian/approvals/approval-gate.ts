// The approval step around a decision: take an approved request once, or attach the request the call must wait on.
import type { GuardContext } from "../../engine/context.js";
import { Decision, withApproval } from "../../engine/decision.js";
import { grantApproval } from "../../engine/approval-grant.js";
import type { PolicySet } from "../../engine/compile/policy-set.js";
import { DEFAULT_APPROVAL_TTL_SECONDS } from "../../engine/compile/rule.js";
import type { ApprovalDesk } from "./approval-desk.js";
import { subjectOf, type ApprovalRecord, type ShownFacts } from "./approval-record.js";

/** Decides a context (the engine, logged when the file asks). */
export type DecideFn = (ctx: GuardContext) => Decision | Promise<Decision>;

/** The refusal of a call whose approval request a person denied: 403, naming who and why. */
function deniedDecision(desk: ApprovalDesk, record: ApprovalRecord, decision?: Decision): Decision {
  const why = record.reason === undefined || record.reason === "" ? "no reason given" : record.reason;
  return new Decision({
    outcome: "deny",
    kind: "approval",
    reason: `Policy '${record.policy}' needs a person's approval, and ${record.decided_by ?? "an approver"} denied it: ${why}`,
    rule: decision?.rule,
    warnings: decision?.warnings,
    approval: desk.view(record),
  });
}

/** A copy of `ctx` the engine lets past the `require_approval` rules of the policies these approvals were asked for. */
function approvedFor(ctx: GuardContext, approvals: readonly ApprovalRecord[]): GuardContext {
  const approved = { ...ctx };
  grantApproval(
    approved,
    approvals.map((record) => record.policy),
  );
  return approved;
}

/** The approval_ttl of the rule that asked for approval, in milliseconds. */
function ttlOf(set: PolicySet, decision: Decision): number {
  const rule = decision.rule === undefined ? undefined : set.policies.get(decision.rule.policyId)?.rules[decision.rule.index]?.rule;
  return rule?.approvalTtlMs ?? DEFAULT_APPROVAL_TTL_SECONDS * 1000;
}

/**
 * Decides a call under the approval protocol. With `ctx.approval` naming an approved request for this very call,
 * the request is taken (once, across instances) and the call decided as approved; a call another policy then
 * refuses gives the approval back. A call that needs approval gets its request (the one already asked for this call,
 * or a new one) attached to the decision; a denied request refuses the call (403). Nothing else the call states
 * (a confirmation, a forged or reused id) lets it through. A new request shows a person `shown` beside the context's facts.
 * A call under two `require_approval` policies has a request for each: once the id of one is presented and taken, the
 * other's request for this same call is taken too when a person approved it, else it is the one the call waits on
 * (presenting the pending one of the two waits on it, not on the approved one).
 * @example const decision = await decideWithApproval(desk, set, ctx, binding, decide);
 */
export async function decideWithApproval(
  desk: ApprovalDesk,
  set: PolicySet,
  ctx: GuardContext,
  binding: string,
  decide: DecideFn,
  shown?: ShownFacts,
): Promise<Decision> {
  let rejected: "another-call" | "used" | "expired" | undefined;
  const taken: ApprovalRecord[] = [];
  /** True when the id presented is a request of this very call: then its other approved requests are taken with it. */
  let ownCall = false;
  if (ctx.approval !== undefined) {
    const presented = await desk.present(ctx.approval, binding);
    if (presented.kind === "denied") return deniedDecision(desk, presented.record);
    if (presented.kind === "rejected") rejected = presented.rejection;
    if (presented.kind === "admit") taken.push(presented.record);
    ownCall = presented.kind === "admit" || presented.kind === "pending";
  }
  // Refused by another policy (a confirmation, a limit, a person): the approvals taken stay for the retry that passes.
  const giveBack = () => Promise.all(taken.map((record) => desk.giveBack(record)));
  for (;;) {
    const asked = taken.length === 0 ? ctx : approvedFor(ctx, taken);
    const decision = await decide(asked);
    if (decision.isAllowed()) {
      for (const record of taken) desk.used(record);
      // The allowed decision says which approval it took (status used): a later guard of the same request relies on it.
      return taken[0] === undefined ? decision : withApproval(decision, desk.view(taken[0]));
    }
    if (decision.outcome !== "confirm" || decision.kind !== "approval" || decision.policyId === undefined) {
      await giveBack();
      return decision;
    }
    const record = await desk.request(decision.policyId, binding, subjectOf(ctx, decision.reason, shown), ttlOf(set, decision));
    if (record.status === "denied") {
      await giveBack();
      return deniedDecision(desk, record, decision);
    }
    if (ownCall && record.status === "approved" && !taken.some((held) => held.id === record.id)) {
      const presented = await desk.present(record.id, binding);
      if (presented.kind === "admit") {
        taken.push(presented.record);
        continue;
      }
    }
    await giveBack();
    return withApproval(decision, desk.view(record, rejected));
  }
}

/**
 * Decides a later guard of a request an approval already admitted (an HTTP request passing `hexarch()` and then
 * `guard()`): the approval, taken by the earlier guard, counts here for its policy without being taken again. Only the
 * adapter's per-request ledger names `admittedId`, and only after an allowed decision that carried it, so no caller
 * can state it; a request that is not used (another process's, or still pending) grants nothing.
 */
export async function decideAdmitted(desk: ApprovalDesk, ctx: GuardContext, admittedId: string, decide: DecideFn): Promise<Decision> {
  const record = await desk.get(admittedId);
  if (record?.status !== "used") return decide(ctx);
  const decision = await decide(approvedFor(ctx, [record]));
  return decision.isAllowed() ? withApproval(decision, desk.view(record)) : decision;
}
