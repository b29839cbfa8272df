// The end of an evaluation: what it found (its Verdict) and what the store counted become a Decision (with its
// reservation, refunds and store-failure handling).
import type { IndexedRule, Mode, PolicySet } from "./compile/policy-set.js";
import type { GuardContext } from "./context.js";
import type { PendingCounter } from "./counters.js";
import {
  Decision,
  type CounterReport,
  type DecisionWarning,
  type ExplanationEntry,
  type Explainer,
  type Outcome,
  type Settler,
} from "./decision.js";
import type { EngineOptions } from "./engine-options.js";
import { explainRules, type Counting, type EvaluationRecord, type RuleNote } from "./explain.js";
import { findingOutcome, findingReason, type Finding } from "./finding.js";
import { OpenReservations, Reservation } from "./reservation.js";
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

const ALLOW_REASON = "no policy refused this call";
const NO_PENDING: readonly PendingCounter[] = Object.freeze([]);

/** A decision, or a promise of one when the store answers asynchronously. */
export type Decided = Decision | Promise<Decision>;

/** Builds the Decisions of one engine's evaluations; holds what they share (options, rule modes, open reservations). */
export class DecisionBuilder {
  readonly #set: PolicySet;
  readonly #options: EngineOptions;
  readonly #modes: readonly Mode[];
  readonly #openReservations: OpenReservations;
  /** Whether any rule has a budget a call reserves an estimate on (no fixed `cost`): else no decision has one to settle. */
  readonly #reserves: boolean;

  constructor(set: PolicySet, options: EngineOptions, modes: readonly Mode[], openReservations: OpenReservations) {
    this.#set = set;
    this.#options = options;
    this.#modes = modes;
    this.#openReservations = openReservations;
    this.#reserves = set.rules.some((indexed) => indexed.rule.counters.some((c) => c.kind === "budget" && c.fixedCostMicros === undefined));
  }

  /** The enforcement mode of a rule. */
  modeOf(indexed: IndexedRule): Mode {
    return this.#modes[indexed.seq] as Mode;
  }

  /** The refusal of a call whose cost, token counts or model name cannot be used (the finding names the value): no rule evaluated. */
  refusal(finding: Finding): Decision {
    const why = `not evaluated: ${finding.reason}`;
    return new Decision({
      outcome: "deny",
      kind: finding.kind,
      reason: finding.reason,
      explain: () => this.#set.rules.map((indexed) => ({ rule: indexed.rule.ref, applied: false, why })),
    });
  }

  /** Gives points back, then the decision; a failure is logged and never changes the decision. */
  refund(ops: readonly PendingCounter[], decision: Decision, now: number): Decided {
    const { store, onStoreError } = this.#options;
    try {
      if (store.refundSync !== undefined) {
        store.refundSync(ops, now);
        return decision;
      }
      return store.refund(ops, now).then(
        () => decision,
        (error: unknown) => {
          onStoreError(error);
          return decision;
        },
      );
    } catch (error) {
      onStoreError(error);
      return decision;
    }
  }

  /** The decision when the store failed to count: each policy's fail mode decides, a fail-closed one refusing. */
  storeFailure(verdict: Verdict, pending: readonly PendingCounter[], error: unknown): Decision {
    this.#options.onStoreError(error);
    // A call refused before counting (`count: all`) stays refused for its own reason.
    if (verdict.blocking !== undefined) return this.finish(verdict, "store-failed", NO_PENDING, undefined, undefined);
    const message = `counter store ${this.#options.store.name} failed: ${error instanceof Error ? error.message : String(error)}`;
    const closed = pending.find((p) => p.indexed.policy.fail === "closed");
    if (closed !== undefined) {
      verdict.add(closed.indexed, this.modeOf(closed.indexed), {
        kind: "store",
        reason: message,
        retryAfter: this.#options.storeRetryAfter,
      });
    } else {
      verdict.warn(undefined, { kind: "store", message: `${message}; allowed because the policies fail open` });
    }
    return this.finish(verdict, "store-failed", NO_PENDING, undefined, undefined);
  }

  /**
   * The decision of a finished evaluation: a refusal by its blocking finding, else allow (or warn with what it found).
   * The verdict stays with it as the record explain() is built from.
   */
  finish(
    verdict: Verdict,
    counting: Counting,
    kept: readonly PendingCounter[],
    counters: readonly CounterReport[] | undefined,
    countedAt: number | undefined,
  ): Decision {
    verdict.counting = counting;
    const { blocking, warnings, shadow } = verdict;
    if (blocking !== undefined)
      return new Decision({
        outcome: blocking.outcome,
        kind: blocking.kind,
        reason: blocking.reason,
        rule: blocking.indexed.rule.ref,
        retryAfter: blocking.retryAfter,
        counters,
        countedAt,
        warnings,
        explain: verdict,
      });
    return new Decision({
      outcome: warnings === undefined ? "allow" : "warn",
      reason: verdict.off ? "enforcement is off" : (shadow?.reason ?? warnings?.[0]?.message ?? ALLOW_REASON),
      kind: shadow?.kind,
      rule: shadow?.indexed.rule.ref,
      wouldBe: shadow?.outcome,
      counters,
      countedAt,
      warnings,
      explain: verdict,
      settle: this.#reserves ? this.#settler(kept, verdict.call) : undefined,
      price: verdict.call.price?.entry,
    });
  }

  /**
   * The reservation of the budgets a call reserved with its estimate (fixed-cost budgets need no settling), expiring
   * after the shortest reservation_ttl among their rules.
   */
  #settler(kept: readonly PendingCounter[], call: ScopedCall): Settler | undefined {
    let budgets: PendingCounter[] | undefined;
    let ttlMs: number | undefined;
    for (const p of kept) {
      if (p.counter.kind !== "budget" || p.counter.fixedCostMicros !== undefined) continue;
      (budgets ??= []).push(p);
      const ttl = p.indexed.rule.reservationTtlMs;
      if (ttl !== undefined && (ttlMs === undefined || ttl < ttlMs)) ttlMs = ttl;
    }
    return budgets === undefined ? undefined : new Reservation(budgets, this.#options, ttlMs, this.#openReservations, call.now(), policyOf);
  }
}

/** The policy whose counter it is. */
function policyOf(p: PendingCounter): string {
  return p.indexed.policy.id;
}
