// The error a protected function rejects with when its policy refused the call.
import type { Decision } from "../engine/decision.js";

/**
 * Rejected by a protected function when its policy refuses the call; the function did not run.
 * @example
 * try { await cleanup() } catch (e) { if (e instanceof PolicyViolation) console.log(e.decision.outcome) }
 */
export class PolicyViolation extends Error {
  readonly code: `HEXARCH_${Uppercase<Decision["outcome"]>}`;
  readonly decision: Decision;

  constructor(decision: Decision) {
    super(decision.reason);
    this.name = "PolicyViolation";
    this.decision = decision;
    this.code = `HEXARCH_${decision.outcome.toUpperCase() as Uppercase<Decision["outcome"]>}`;
  }
}
