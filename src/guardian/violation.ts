// The error a protected function rejects with when its policy refused the call.
import type { Decision, DecisionApproval } from "../engine/decision.js";

/**
 * Rejected by a protected function when its policy refuses the call; the function did not run.
 * @example
 * try { await cleanup() } catch (e) { if (e instanceof PolicyViolation) console.log(e.decision.outcome) }
 */
export class PolicyViolation extends Error {
  readonly code: `HEXARCH_${Uppercase<Decision["outcome"]>}`;
  readonly decision: Decision;
  /**
   * Under `require_approval`: the approval request the call waits on (or that a person denied). Retry with
   * `context: { approval: violation.approval.id }` once a person approved it, or `guardian.approvals.wait(id)`.
   */
  readonly approval: DecisionApproval | undefined;

  constructor(decision: Decision) {
    super(decision.reason);
    this.name = "PolicyViolation";
    this.decision = decision;
    this.approval = decision.approval;
    this.code = `HEXARCH_${decision.outcome.toUpperCase() as Uppercase<Decision["outcome"]>}`;
  }
}
