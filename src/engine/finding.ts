// A triggered rule as a finding: what outcome it maps to, and the sentence that explains it.
import type { CounterReading } from "../stores/store.js";
import type { IndexedRule } from "./compile/policy-set.js";
import { fromMicros, type Action, type BudgetCounter, type RateCounter } from "./compile/rule.js";
import type { PendingCounter } from "./counters.js";
import type { CounterReport, DecisionWarning, FindingKind, Outcome } from "./decision.js";

/** Why one rule triggered for a call. */
export interface Finding {
  readonly kind: FindingKind;
  /** Detail from the check or counter; empty when the rule triggers on its scope alone. */
  readonly reason: string;
  readonly retryAfter?: number | undefined;
}

/** Conditions a confirmation cannot stand in for: a rule asking for confirmation still denies when one fails. */
const CONDITIONS: ReadonlySet<FindingKind> = new Set(["environment", "facts", "access", "feature", "model", "ceiling", "cost"]);

/** Maps a rule's action and the kind of trigger to an outcome. */
export function findingOutcome(action: Action, kind: FindingKind): Outcome {
  if (kind === "store") return "error";
  if (action === "warn") return "warn";
  if ((action === "require_confirmation" || action === "require_approval") && !CONDITIONS.has(kind)) return "confirm";
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
      return indexed.rule.action === "require_approval"
        ? `Policy '${id}' requires a person's approval: ${detail}`
        : `Policy '${id}' requires confirmation: ${detail}`;
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

/** An amount in a budget's unit: `3`, `2.50`, `0.000125`. */
function amount(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return Math.abs(n * 100 - Math.round(n * 100)) < 1e-6 ? n.toFixed(2) : String(Number(n.toFixed(6)));
}

const PERIOD_WORD = { day: "daily", month: "monthly" } as const;

/**
 * The finding for a counter this call took past its limit; `reading` is the counter with this call's points in it.
 * `now` is the store's clock for a rate limit (its windows run on it), the call's instant for a calendar budget.
 */
export function counterFinding(p: PendingCounter, reading: CounterReading, now: number): Finding {
  const { counter } = p;
  if (counter.kind === "rate") {
    const retryAt = reading.retryAt ?? reading.resetAt;
    const retryAfter = seconds(retryAt - now);
    const detail = counter.algorithm === "fixed_window" ? "" : `; ${rateRefusal(counter, reading, retryAt)}`;
    return { kind: "rate", reason: `${p.indexed.rule.ref.summary}${detail}; retry in ${retryAfter} s`, retryAfter };
  }
  const resetAt = p.periodEnd ?? reading.resetAt;
  const spent = amount(fromMicros(reading.used - p.points));
  const reason =
    `${PERIOD_WORD[counter.window]} budget of ${amount(fromMicros(counter.limitMicros))} would be exceeded ` +
    `(${spent} spent, this call costs ${amount(fromMicros(p.points))}); it resets at ${new Date(resetAt).toISOString()}`;
  return { kind: "budget", reason, retryAfter: seconds(resetAt - now) };
}

/** `16:31:00.5`: the UTC time of an instant, to the tenth of a second when it is not on a whole second. */
function timeOfDay(epochMs: number): string {
  const text = new Date(Math.ceil(epochMs / 100) * 100).toISOString().slice(11, 21);
  return `${text.endsWith(".0") ? text.slice(0, 8) : text} UTC`;
}

/** Why a sliding window or bucket refused, in its algorithm's own words, with the instant the call would be admitted. */
function rateRefusal(counter: RateCounter, reading: CounterReading, retryAt: number): string {
  const windowSeconds = counter.windowMs / 1000;
  if (counter.algorithm === "sliding_window")
    return `${reading.used - 1} calls in the last ${windowSeconds} s; the oldest leaves at ${timeOfDay(retryAt)}`;
  return `the bucket of ${counter.burst} is empty (it refills ${counter.limit} per ${windowSeconds} s); the next token arrives at ${timeOfDay(retryAt)}`;
}

/** The finding for a budget that this call's cost alone exceeds: it can never fit, so it is refused without counting. */
export function neverFitsFinding(p: PendingCounter, counter: BudgetCounter): Finding {
  const reason =
    `this call costs ${amount(fromMicros(p.points))}, more than the whole ${PERIOD_WORD[counter.window]} budget of ` +
    `${amount(fromMicros(counter.limitMicros))}; it can never fit`;
  return { kind: "budget", reason };
}

/** A warning for a budget past its threshold: which budget, how much is spent, when it resets. */
export function budgetWarning(report: CounterReport, percent: number): DecisionWarning {
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
