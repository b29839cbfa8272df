// The value every evaluation produces: what to do with the call, which rule said so, and the numbers behind it.
import type { RateAlgorithm } from "../stores/store.js";
import { fromMicros, MAX_AMOUNT, settleError } from "./amount.js";
import type { PriceEntry } from "./pricing/price-table.js";
import { tokenCostMicros } from "./pricing/token-cost.js";
import { isUsage, readUsage, type TokenUsage } from "./pricing/usage.js";

/** What to do with a call. `allow` and `warn` let it run; the rest refuse it. */
export type Outcome = "allow" | "warn" | "confirm" | "limit" | "deny" | "error";

/** Which aspect of a rule produced a finding. */
/**
 * `cost` is a call refused before any rule because its stated cost (or token count) is not an amount (negative, NaN,
 * infinite); `model` a model outside `models:`, inside `forbidden_models:`, or with no price where a budget needs one;
 * `ceiling` a call reserving more than `max_cost_per_call`.
 */
export type FindingKind =
  | "rate"
  | "budget"
  | "confirm"
  | "time"
  | "environment"
  | "facts"
  | "access"
  | "feature"
  | "block"
  | "store"
  | "cost"
  | "model"
  | "ceiling"
  | "approval";

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

/** Where an approval request stands: waiting for a person, decided, admitted once, or past its time. */
export type ApprovalStatus = "pending" | "approved" | "denied" | "used" | "expired";

/** Why an approval id sent with a call admitted nothing: it names another call, it was used, or its time is over. */
export type ApprovalRejection = "another-call" | "used" | "expired";

/**
 * The approval request a call under `require_approval` waits on, as 428 bodies, `violation.approval` and the decision
 * API carry it (snake_case, as on the wire).
 */
export interface DecisionApproval {
  readonly id: string;
  readonly status: ApprovalStatus;
  /** The approval page (`approvals.base_url` + `/approvals/{id}`), when the policy file names a base URL. */
  readonly url?: string | undefined;
  /** ISO 8601 instant after which the request admits nothing. */
  readonly expires_at: string;
  /** Why the approval id the call carried admitted nothing. */
  readonly rejected?: ApprovalRejection | undefined;
  /** Who approved or denied it. */
  readonly decided_by?: string | undefined;
  /** Why it was denied. */
  readonly reason?: string | undefined;
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

/** One budget counter a call's reservation holds points on, as the call left it: only budgets that kept its points. */
export interface ReservedCounter {
  /** The counter's store key. */
  readonly key: string;
  /** Millionths of the budget's unit the call reserved there. */
  readonly points: number;
  /** How long the counter lives from the call: its period's end, plus a grace for late settles. */
  readonly windowMs: number;
  /** The policy whose budget it is. */
  readonly policyId: string;
}

/** Something that settles a decision's reservations. */
export interface Settler {
  /** Replaces the estimate with `actualCost` (0 releases it), once. */
  settle(actualCost: number): Promise<void>;
  /** The estimate reserved on each budget, in the budget's unit. */
  readonly estimate?: number | undefined;
  /** The budget counters that kept the call's estimate: never one that gave it back (a shadow budget past its limit). */
  readonly counters?: readonly ReservedCounter[] | undefined;
  /** Stops this settler from ever settling (its reservation_ttl timer included): someone else settles the counters now. */
  handOver?(): void;
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
  /** The `prices:` entry of the call's model, which turns a usage given to settle() into a cost. */
  readonly price?: PriceEntry | undefined;
  /** The approval request the call waits on, or the one that denied it. */
  readonly approval?: DecisionApproval | undefined;
}

const NO_COUNTERS: readonly CounterReport[] = Object.freeze([]);
const NO_WARNINGS: readonly DecisionWarning[] = Object.freeze([]);
const NO_RESERVED: readonly ReservedCounter[] = Object.freeze([]);
const NOTHING_TO_EXPLAIN: Explainer = { explain: () => [] };
const NOTHING_TO_SETTLE: Settler = { settle: async () => {} };

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
  /** The `prices:` entry that priced the call's model (`explain` names it too), when the call stated a priced model. */
  readonly price: PriceEntry | undefined;
  /**
   * Under `require_approval`: the approval request this call waits on (`outcome` confirm, kind `approval`), or the
   * one a person denied (`outcome` deny). Retry with its `id` (`context.approval`, or the `Hexarch-Approval` header).
   */
  readonly approval: DecisionApproval | undefined;
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
    // An explainer or settler given as a function is wrapped; absent, one that does nothing stands in.
    const { explain, settle } = init;
    this.#explainer = explain === undefined ? NOTHING_TO_EXPLAIN : typeof explain === "function" ? { explain } : explain;
    this.#settler = settle === undefined ? NOTHING_TO_SETTLE : typeof settle === "function" ? { settle } : settle;
    this.price = init.price;
    this.approval = init.approval;
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
   * What this call reserved on each budget, in the budget's unit, until it is settled; undefined when it reserved
   * nothing to settle (no budget, or a budget with a fixed `cost`).
   */
  get reserved(): number | undefined {
    return this.#settler.estimate;
  }

  /**
   * The budget counters this call's estimate is held on until it is settled: what a settle made elsewhere (the
   * decision server's ids) may give back. A budget that gave the points back at once (in shadow mode, past its limit)
   * is not among them. Empty when nothing is reserved.
   */
  get reservedCounters(): readonly ReservedCounter[] {
    return this.#settler.counters ?? NO_RESERVED;
  }

  /**
   * Settles budgets reserved by this call with the actual cost: an amount, or the usage object the model provider
   * returned (`response.usage` of OpenAI Chat, OpenAI Responses or Anthropic), priced by the call's model.
   * Settles once; later calls (and release()) are ignored. A cost that is not a number from 0 to MAX_AMOUNT, or a usage
   * that is not one (or given for a call without a priced model), rejects with a TypeError or RangeError naming the
   * value, and changes nothing.
   * @example
   * const decision = await guardian.check("ai_spend", { model: "gpt-4o", inputTokens: 1200, maxOutputTokens: 800 });
   * const response = await openai.chat.completions.create({ model: "gpt-4o", max_tokens: 800, messages });
   * await decision.settle(response.usage);
   */
  settle(actual: number | TokenUsage): Promise<void> {
    const cost = this.costOf(actual);
    return typeof cost === "number" ? this.#settler.settle(cost) : Promise.reject(cost);
  }

  /**
   * Gives back the whole reservation (the call spent nothing, e.g. it failed before reaching the provider): the same
   * as `settle(0)`. Ignored once settled.
   * @example try { reply = await callModel(); } catch (error) { await decision.release(); throw error; }
   */
  release(): Promise<void> {
    return this.#settler.settle(0);
  }

  /**
   * Hands the reservation over to another keeper (the decision server keeps it in the store, for any instance to
   * settle): this decision's settle(), release() and reservation_ttl then change nothing. The counters stay as reserved.
   * @example await keepInStore(decision.reserved); decision.handOver(); // this process no longer settles or expires it
   */
  handOver(): void {
    this.#settler.handOver?.();
  }

  /**
   * The cost settle() would charge for an amount or a usage, in the budget's unit, or the error it would reject with.
   * @example decision.costOf({ prompt_tokens: 1000, completion_tokens: 500 }) // 0.0075 with gpt-4o at 2.5 / 10
   */
  costOf(actual: number | TokenUsage): number | TypeError | RangeError {
    if (!isUsage(actual)) return settleError(actual) ?? actual;
    const { price } = this;
    if (price === undefined)
      return new TypeError(
        "cannot settle a usage: this call stated no model with an entry under prices:; settle with a cost instead, or state the model",
      );
    const tokens = readUsage(actual);
    if (tokens instanceof Error) return tokens;
    const micros = tokenCostMicros(tokens, price.prices);
    if (micros > MAX_AMOUNT * 1_000_000)
      return new RangeError(`cannot settle this usage: it costs more than ${MAX_AMOUNT}; nothing was changed`);
    return fromMicros(micros);
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
      ...(this.approval === undefined ? {} : { approval: this.approval }),
    };
  }
}

/**
 * The fields of `decision`, with these in place of its own: its settler (by default the original settles, and hands
 * over its reservation), its approval.
 * @example new Decision(decisionInit(decision, { approval }))
 */
function decisionInit(decision: Decision, changes: { readonly settle?: Settler; readonly approval?: DecisionApproval }): DecisionInit {
  return {
    outcome: decision.outcome,
    reason: decision.reason,
    kind: decision.kind,
    rule: decision.rule,
    retryAfter: decision.retryAfter,
    counters: decision.counters,
    countedAt: decision.countedAt,
    warnings: decision.warnings,
    wouldBe: decision.wouldBe,
    explain: decision,
    settle: changes.settle ?? {
      settle: (cost) => decision.settle(cost),
      estimate: decision.reserved,
      counters: decision.reservedCounters,
      handOver: () => decision.handOver(),
    },
    price: decision.price,
    approval: changes.approval ?? decision.approval,
  };
}

/**
 * A copy of a decision with the same fields and explanation, and these in place of its own: its settler (the original
 * settles, by default), its approval.
 * @example decisionWith(decision, { approval: { id, status: "pending", expires_at } })
 */
export function decisionWith(decision: Decision, changes: { readonly settle?: Settler; readonly approval?: DecisionApproval }): Decision {
  return new Decision(decisionInit(decision, changes));
}

/**
 * The same decision with `approval` beside it: every field and the same explanation and reservation.
 * @example withApproval(decision, { id, status: "pending", expires_at })
 */
export function withApproval(decision: Decision, approval: DecisionApproval): Decision {
  return decisionWith(decision, { approval });
}

/**
 * The fields of `decision` with another way to settle it: for a wrapper that must see the settle (the decision log,
 * OpenTelemetry) and hands out a decision that is otherwise the same.
 * @example new Decision(resettled(decision, (cost) => recordThenSettle(cost)))
 */
export function resettled(decision: Decision, settle: (cost: number) => Promise<void>): DecisionInit {
  return decisionInit(decision, {
    settle: { settle, estimate: decision.reserved, counters: decision.reservedCounters, handOver: () => decision.handOver() },
  });
}
