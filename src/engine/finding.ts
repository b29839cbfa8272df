// A triggered rule as a finding: what outcome it maps to, and the sentence that explains it.
import type { IndexedRule } from "./compile/policy-set.js";
import type { Action } from "./compile/rule.js";
import type { CounterReport, DecisionWarning, FindingKind, Outcome } from "./decision.js";

/** Why one rule triggered for a call. */
export interface Finding {
  readonly kind: FindingKind;
  /** Detail from the check or counter; empty when the rule triggers on its scope alone. */
  readonly reason: string;
  readonly retryAfter?: number;
}

/** Maps a rule's action and the kind of trigger to an outcome. */
export function findingOutcome(action: Action, kind: FindingKind): Outcome {
  if (kind === "store") return "error";
  if (action === "warn") return "warn";
  if (action === "require_confirmation") return "confirm";
  return kind === "rate" || kind === "budget" ? "limit" : "deny";
}

function subject(indexed: IndexedRule): string {
  return indexed.policy.description ?? indexed.rule.ref.summary;
}

/** The human sentence for a finding, always naming the policy. */
export function findingReason(indexed: IndexedRule, finding: Finding, outcome: Outcome): string {
  const id = indexed.policy.id;
  const detail = finding.reason === "" ? subject(indexed) : finding.reason;
  switch (outcome) {
    case "confirm":
      return `Policy '${id}' requires confirmation: ${detail}`;
    case "limit":
      return `Policy '${id}' limit reached: ${detail}`;
    case "error":
      return `Policy '${id}' could not be checked: ${detail}`;
    case "warn":
      return `Policy '${id}' warns: ${detail}`;
    default:
      return `Policy '${id}' denies this call: ${detail}`;
  }
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

function amount(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

/** The finding for a counter that went past its limit. */
export function counterFinding(report: CounterReport, now: number): Finding {
  const clockNow = report.kind === "rate" ? Date.now() : now;
  const retryAfter = seconds(report.resetAt - clockNow);
  const reason =
    report.kind === "rate"
      ? `${report.rule.summary}; retry in ${retryAfter} s`
      : `${report.window}ly budget of ${amount(report.limit)} is spent (${amount(report.used)}); it resets at ${new Date(report.resetAt).toISOString()}`;
  return { kind: report.kind, reason, retryAfter };
}

/** A warning for a budget past its threshold: which budget, how much is spent, when it resets. */
export function budgetWarning(report: CounterReport): DecisionWarning {
  const percent = Math.floor((report.used / report.limit) * 100);
  return {
    kind: "budget",
    rule: report.rule,
    message: `Policy '${report.rule.policyId}' budget at ${percent}%: spent ${amount(report.used)} of ${amount(report.limit)} this ${report.window}; resets at ${new Date(report.resetAt).toISOString()}`,
  };
}

/** A warning for a rate limit past its threshold. */
export function rateWarning(report: CounterReport): DecisionWarning {
  return {
    kind: "rate",
    rule: report.rule,
    message: `Policy '${report.rule.policyId}' rate at ${report.used} of ${report.limit} per ${report.window}`,
  };
}
