// The value every evaluation produces: what to do with the call, which rule said so, and the numbers behind it.
import type { RateAlgorithm } from "../stores/store.js";
import { settleError } from "./amount.js";

/** What to do with a call. `allow` and `warn` let it run; the rest refuse it. */
export type Outcome = "allow" | "warn" | "confirm" | "limit" | "deny" | "error";

/** Which aspect of a rule produced a finding. */
/** `cost` is a call refused before any rule because its stated cost is not an amount (negative, NaN, infinite). */
export type FindingKind = "rate" | "budget" | "confirm" | "time" | "environment" | "facts" | "access" | "feature" | "block" | "store" | "cost";

/** Points at one rule of one policy, and where it was written. */
export interface RuleRef {
  readonly policyId: string;
  /** 0-based position of the rule inside its policy. */
  readonly index: number;
  /** One line describing the rule, e.g. `100 requests per minute per client`. */
  readonly summary: string;
  readonly line?: number;
  readonly column?: number;
}

/** The state of one rate limit or budget after this call. Budget amounts are in the policy's own units. */
export interface CounterReport {
  readonly rule: RuleRef;
  readonly kind: "rate" | "budget";
  /** Window name for humans and headers: `1s`, `1m`, `1h`, `1d`, `day`, `month`. */
  readonly window: string;
  /** Window length in seconds (for a calendar budget, the length of the current period). */
  readonly windowSeconds: number;
  readonly limit: number;
  /** Calls in the window (fixed, sliding), tokens missing from the bucket (token bucket), or the amount spent. */
  readonly used: number;
  /** Calls that would be admitted now: `burst - used` for a rate limit, `limit - used` for a budget. */
  readonly remaining: number;
  /**
   * When the counter is back to its full quota, in epoch milliseconds: a fixed window's end, the instant the newest
   * call leaves a sliding window, the instant a bucket is full again; a budget's period end.
   */
  readonly resetAt: number;
  /** The counter's partition, e.g. the client address (`*` for a global counter). */
  readonly partition: string;
  /** Warning threshold as a fraction of the limit, when the rule has one. */
  readonly warnAt: number | undefined;
  /** A rate limit's algorithm: `fixed_window`, `sliding_window` or `token_bucket`; undefined for a budget. */
  readonly algorithm?: RateAlgorithm | undefined;
  /** A rate limit's most calls at once: the bucket's size for a token bucket, else the limit; undefined for a budget. */
  readonly burst?: number | undefined;
}

/** Something the caller should know even though the call may go ahead. */
export interface DecisionWarning {
  readonly kind: "budget" | "rate" | "shadow" | "store" | "rule";
  readonly rule?: RuleRef;
  readonly message: string;
  /** For `shadow` warnings: what strict enforcement would have answered. */
  readonly wouldBe?: Outcome;
}

/** Why one rule did or did not take part in a decision. */
export interface ExplanationEntry {
  readonly rule: RuleRef;
  readonly applied: boolean;
  readonly why: string;
}

/** Replaces the reserved cost estimate with the actual cost of the call on every budget it was charged to. */
export type Settle = (actualCost: number) => Promise<void>;

/** Something that explains a decision on demand (the engine passes its evaluation record, no closure per call). */
export interface Explainer {
  explain(): readonly ExplanationEntry[];
}

/** Something that settles a decision's reservations. */
export interface Settler {
  settle(actualCost: number): Promise<void>;
}

/** Fields from which a Decision is made. */
export interface DecisionInit {
  readonly outcome: Outcome;
  readonly reason: string;
  readonly kind?: FindingKind | undefined;
  readonly rule?: RuleRef | undefined;
  readonly retryAfter?: number | undefined;
  readonly counters?: readonly CounterReport[] | undefined;
  readonly countedAt?: number | undefined;
  readonly warnings?: readonly DecisionWarning[] | undefined;
  readonly wouldBe?: Outcome | undefined;
  readonly explain?: (() => readonly ExplanationEntry[]) | Explainer | undefined;
  readonly settle?: Settle | Settler | undefined;
}

const NO_COUNTERS: readonly CounterReport[] = Object.freeze([]);
const NO_WARNINGS: readonly DecisionWarning[] = Object.freeze([]);
const NOTHING_TO_EXPLAIN: Explainer = { explain: () => [] };
const NOTHING_TO_SETTLE: Settler = { settle: async () => {} };

function explainerOf(explain: DecisionInit["explain"]): Explainer {
  if (explain === undefined) return NOTHING_TO_EXPLAIN;
  return typeof explain === "function" ? { explain } : explain;
}

function settlerOf(settle: DecisionInit["settle"]): Settler {
  if (settle === undefined) return NOTHING_TO_SETTLE;
  return typeof settle === "function" ? { settle } : settle;
}

/**
 * The answer for one call. A refusal is a value, not an exception: test it with `isAllowed()` / `isDenied()`.
 * @example
 * const d = await guardian.check("rate_limit", { client: ip });
 * if (d.isDenied()) return reply(d.outcome === "limit" ? 429 : 403, d.reason);
 */
export class Decision {
  readonly outcome: Outcome;
  /** Human reason, e.g. `Policy 'safe_delete' requires confirmation for delete operations`. */
  readonly reason: string;
  /** Which aspect of the deciding rule produced the outcome. */
  readonly kind: FindingKind | undefined;
  /** The policy that decided (for allow: undefined; in warn mode, the one that would have refused). */
  readonly policyId: string | undefined;
  /** The rule that decided. */
  readonly rule: RuleRef | undefined;
  /** Seconds after which retrying can succeed (limit, error, time windows). */
  readonly retryAfter: number | undefined;
  readonly counters: readonly CounterReport[];
  /**
   * When the store counted this call (epoch ms), for a store that answers in process: the instant the counters'
   * reset times were read at, which response headers count from. Undefined otherwise.
   */
  readonly countedAt: number | undefined;
  readonly warnings: readonly DecisionWarning[];
  /** In warn (shadow) mode: the outcome strict enforcement would have produced. */
  readonly wouldBe: Outcome | undefined;
  readonly #explainer: Explainer;
  readonly #settler: Settler;

  constructor(init: DecisionInit) {
    this.outcome = init.outcome;
    this.reason = init.reason;
    this.kind = init.kind;
    this.policyId = init.rule?.policyId;
    this.rule = init.rule;
    this.retryAfter = init.retryAfter;
    this.counters = init.counters ?? NO_COUNTERS;
    this.countedAt = init.countedAt;
    this.warnings = init.warnings ?? NO_WARNINGS;
    this.wouldBe = init.wouldBe;
    this.#explainer = explainerOf(init.explain);
    this.#settler = settlerOf(init.settle);
  }

  /** True for `allow` and `warn`: the protected code may run. */
  isAllowed(): boolean {
    return this.outcome === "allow" || this.outcome === "warn";
  }

  /** True for `confirm`, `limit`, `deny` and `error`: the protected code must not run. */
  isDenied(): boolean {
    return !this.isAllowed();
  }

  /** Every rule considered for this call, applied or not, and why. Computed on demand. */
  explain(): readonly ExplanationEntry[] {
    return this.#explainer.explain();
  }

  /**
   * Settles budgets reserved by this call with the actual cost (say, tokens used × price).
   * Safe to call once; later calls are ignored. A cost that is not a number from 0 to MAX_AMOUNT rejects (TypeError,
   * RangeError naming the value) and changes nothing.
   */
  settle(actualCost: number): Promise<void> {
    const refused = settleError(actualCost);
    return refused === undefined ? this.#settler.settle(actualCost) : Promise.reject(refused);
  }

  /** A plain object for logs and JSON. */
  toJSON(): Record<string, unknown> {
    return {
      outcome: this.outcome,
      reason: this.reason,
      kind: this.kind,
      policyId: this.policyId,
      rule: this.rule,
      retryAfter: this.retryAfter,
      counters: this.counters,
      warnings: this.warnings,
      wouldBe: this.wouldBe,
    };
  }
}
