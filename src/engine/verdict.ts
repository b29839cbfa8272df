// What one evaluation has found: the most severe enforced finding, the shadow finding, warnings and notes.
import type { IndexedRule, Mode, PolicySet } from "./compile/policy-set.js";
import type { GuardContext } from "./context.js";
import type { DecisionWarning, ExplanationEntry, Explainer, Outcome } from "./decision.js";
import { explainRules, type Counting, type EvaluationRecord, type RuleNote } from "./explain.js";
import { findingOutcome, findingReason, type Finding } from "./finding.js";
import type { ScopedCall } from "./scope.js";
import { isApproved } from "./approval-grant.js";

const SEVERITY: Record<Outcome, number> = { allow: 0, warn: 1, confirm: 2, limit: 3, deny: 4, error: 5 };

/** How a triggered rule counted: enforced, shadow (warn mode), warned (action warn), or confirmed by the caller. */
export type Counted = "enforced" | "shadow" | "warned" | "confirmed";

/** A finding that decides, or would decide in strict mode. */
export interface DecidingFinding extends Finding {
  readonly outcome: Outcome;
  readonly indexed: IndexedRule;
}

function isConfirmed(ctx: GuardContext, policyId: string, action: string): boolean {
  // Nothing the caller states stands for a person's approval: only a grant the approvals desk made for this call.
  if (action === "require_approval") return isApproved(ctx, policyId);
  const confirm = ctx.confirm;
  return confirm === true || (Array.isArray(confirm) && confirm.includes(policyId));
}

/**
 * Findings of one call, kept with its decision as the record that explain() is built from on demand (one object
 * per evaluation). Lists are created on first use: most calls find nothing. Fields are declared and set once in the
 * constructor, so a verdict per decision runs no field initializer.
 */
export class Verdict implements Explainer, EvaluationRecord {
  declare blocking: DecidingFinding | undefined;
  declare shadow: DecidingFinding | undefined;
  declare warnings: DecisionWarning[] | undefined;
  declare notes: RuleNote[] | undefined;
  /** How far the call got with its counters; set when the decision is made. */
  declare counting: Counting;
  declare readonly set: PolicySet;
  declare readonly call: ScopedCall;
  declare readonly policyIds: readonly string[] | undefined;
  declare readonly off: boolean;

  constructor(set: PolicySet, call: ScopedCall, policyIds: readonly string[] | undefined, off: boolean) {
    this.blocking = undefined;
    this.shadow = undefined;
    this.warnings = undefined;
    this.notes = undefined;
    this.counting = "none";
    this.set = set;
    this.call = call;
    this.policyIds = policyIds;
    this.off = off;
  }

  /** Every rule of the set with whether it applied and why. */
  explain(): readonly ExplanationEntry[] {
    return explainRules(this);
  }

  /** Adds a warning, and notes it against its rule for explain(). */
  warn(indexed: IndexedRule | undefined, warning: DecisionWarning): void {
    (this.warnings ??= []).push(warning);
    if (indexed !== undefined) this.note(indexed, warning.message);
  }

  /** Writes down what a rule found, for explain(). */
  note(indexed: IndexedRule, text: string): void {
    (this.notes ??= []).push({ indexed, text });
  }

  /** Records a triggered rule and says how it counted. */
  add(indexed: IndexedRule, mode: Mode, finding: Finding): Counted {
    const { rule, policy } = indexed;
    const outcome = findingOutcome(rule.action, finding.kind);
    const reason = findingReason(indexed, finding, outcome);
    if (outcome === "confirm" && isConfirmed(this.call.ctx, policy.id, rule.action)) {
      this.note(indexed, `${reason} (${rule.action === "require_approval" ? "approved by a person" : "confirmed by the caller"})`);
      return "confirmed";
    }
    if (outcome === "warn") {
      this.warn(indexed, { kind: "rule", rule: rule.ref, message: reason });
      return "warned";
    }
    const kind = outcome === "confirm" && rule.action === "require_approval" ? "approval" : finding.kind;
    const found: DecidingFinding = { kind, reason, retryAfter: finding.retryAfter, outcome, indexed };
    if (mode === "warn") {
      this.warn(undefined, { kind: "shadow", rule: rule.ref, message: `shadow mode: ${reason}`, wouldBe: outcome });
      this.note(indexed, reason);
      if (this.shadow === undefined || SEVERITY[outcome] > SEVERITY[this.shadow.outcome]) this.shadow = found;
      return "shadow";
    }
    this.note(indexed, reason);
    const current = this.blocking;
    // Among equally severe findings, the one that clears last decides, so Retry-After is never too early.
    const laterRetry = current !== undefined && outcome === current.outcome && (finding.retryAfter ?? 0) > (current.retryAfter ?? 0);
    if (current === undefined || SEVERITY[outcome] > SEVERITY[current.outcome] || laterRetry) this.blocking = found;
    return "enforced";
  }
}
