// The engine: a compiled policy set and a call in, a Decision out. Checks first, then one batched counter update.
import type { AdmittingRate, CounterReading } from "../stores/store.js";
import type { IndexedRule, Mode, PolicySet } from "./compile/policy-set.js";
import { costProblem } from "./amount.js";
import { toMicros, type Check } from "./compile/rule.js";
import type { GuardContext } from "./context.js";
import {
  counterKeys,
  counterReport,
  countedWhenRefused,
  notCountedWhenRefused,
  refundOf,
  withoutGivenBack,
  limitPoints,
  pendingCounters,
  withCounters,
  type CounterKeys,
  type PendingCounter,
} from "./counters.js";
import { Decision, type CounterReport, type DecisionWarning, type RuleRef } from "./decision.js";
import { budgetWarning, counterFinding, neverFitsFinding, rateWarning, type Finding } from "./finding.js";
import { ScopedCall, scopeMiss } from "./scope.js";
import { boundedPrice, priceCall } from "./pricing/call-price.js";
import { OpenReservations } from "./reservation.js";
import { priceFinding } from "./pricing/price-findings.js";
import { modelName, modelNameProblem } from "./pricing/model-name.js";
import { DecisionBuilder, Verdict, type Decided } from "./decision-builder.js";
import type { EngineOptions } from "./engine-options.js";
import { whenWindowsOpen } from "./time-window-search.js";

export type { KeyFunction } from "./counters.js";
export type { EngineOptions } from "./engine-options.js";

/** One counter a call would count against, as `guardian.countersFor()` reports it. */
export interface CounterSlot {
  readonly rule: RuleRef;
  readonly kind: "rate" | "budget";
  /** `1s`, `1m`, `1h`, `1d`, `day` or `month`. */
  readonly window: string;
  /** The counter's partition, e.g. the client address (`*` for a global counter). */
  readonly partition: string;
  /** The full store key, namespaced and (for budgets) including the calendar period. */
  readonly key: string;
  /** How long the counter lives from now, in milliseconds. */
  readonly windowMs: number;
  /** Store points for an amount: requests for a rate limit, the budget's unit for a budget. */
  points(amount: number): number;
  /** A sliding window's or bucket's shape, which `store.set` and `store.peek` need; undefined for a fixed window or budget. */
  readonly rate: AdmittingRate | undefined;
}

const NO_RULES: readonly IndexedRule[] = Object.freeze([]);
const NO_PENDING: readonly PendingCounter[] = Object.freeze([]);

/**
 * Evaluates calls against one compiled policy set. Construct once; `decide` is the hot path. With a store that
 * answers synchronously (MemoryStore), a decision is reached without waiting on any promise.
 */
export class Engine {
  readonly set: PolicySet;
  readonly #options: EngineOptions;
  readonly #counterKeys: readonly (readonly CounterKeys[])[];
  /** The enforcement mode of each rule, by its order in the file. */
  readonly #modes: readonly Mode[];
  /** Reservations waiting for their settle within a reservation_ttl. */
  readonly openReservations = new OpenReservations();
  readonly #build: DecisionBuilder;

  constructor(set: PolicySet, options: EngineOptions) {
    this.set = set;
    this.#options = options;
    this.#counterKeys = counterKeys(set.rules, options.prefix);
    const forced = options.mode === "strict" || options.mode === "warn" ? options.mode : undefined;
    this.#modes = set.rules.map((indexed) => forced ?? indexed.policy.mode ?? set.mode);
    this.#build = new DecisionBuilder(set, options, this.#modes, this.openReservations);
  }

  /** The rules a call reaches: every enabled policy through the index, or only the named policies. */
  #rulesFor(call: ScopedCall, policyIds: readonly string[] | undefined): readonly IndexedRule[] {
    if (policyIds === undefined) return this.set.index.candidates(call);
    if (policyIds.length === 1) {
      const policy = this.set.policies.get(policyIds[0] as string);
      return policy?.enabled === true ? policy.rules : NO_RULES;
    }
    const rules: IndexedRule[] = [];
    for (const id of policyIds) {
      const policy = this.set.policies.get(id);
      if (policy?.enabled === true) rules.push(...policy.rules);
    }
    return rules;
  }

  #applicable(call: ScopedCall, policyIds: readonly string[] | undefined): readonly IndexedRule[] {
    return this.#rulesFor(call, policyIds).filter((indexed) => scopeMiss(indexed.rule.scope, call) === undefined);
  }

  #call(ctx: GuardContext, policyIds: readonly string[] | undefined): ScopedCall {
    return new ScopedCall(ctx, ctx.environment ?? this.#options.environment, policyIds !== undefined, this.#options.clock);
  }

  /**
   * Prices a call that states a model or token counts; returns why it is refused when its counts are bad or its model
   * name is odd (see modelNameProblem). A priced call that leaves out a token count is bounded by the smallest
   * max_cost_per_call of the rules it reaches.
   */
  #price(call: ScopedCall, policyIds: readonly string[] | undefined): Finding | undefined {
    const { ctx } = call;
    if (!call.statesPrice) return undefined;
    const priced = priceCall(ctx, this.set.prices);
    if (typeof priced === "string") return { kind: "cost", reason: priced };
    if (priced.model !== undefined) {
      const odd = modelNameProblem(priced.model, this.set.modelNames);
      if (odd !== undefined) return { kind: "model", reason: odd };
      call.model = modelName(priced.model);
    }
    const reached = priced.unbounded === undefined ? undefined : this.#applicable(call, policyIds);
    call.price =
      reached === undefined
        ? priced
        : boundedPrice(
            priced,
            reached.map((indexed) => indexed.rule.maxCostMicros),
          );
    return undefined;
  }

  /** The counters a call would count against, with their store keys, without touching the store. */
  countersFor(ctx: GuardContext, policyIds?: readonly string[]): CounterSlot[] {
    const call = this.#call(ctx, policyIds);
    this.#price(call, policyIds);
    const pending = pendingCounters(this.#applicable(call, policyIds), call, this.#counterKeys, this.#options.keys);
    return pending.map(({ indexed, counter, partition, key, windowMs, rate }) => ({
      rate,
      rule: indexed.rule.ref,
      kind: counter.kind,
      window: counter.window,
      partition,
      key,
      windowMs,
      points: (amount: number) => (counter.kind === "rate" ? Math.round(amount) : toMicros(amount)),
    }));
  }

  /** Decides one call. Never throws for a refusal; store failures follow each policy's fail mode. */
  decide(ctx: GuardContext, policyIds?: readonly string[]): Promise<Decision> {
    let decided: Decided;
    try {
      decided = this.decideNow(ctx, policyIds);
    } catch (error) {
      return Promise.reject(error);
    }
    return decided instanceof Decision ? Promise.resolve(decided) : decided;
  }

  /** Like decide(), but hands back the Decision itself when the store answered synchronously; may throw. */
  decideNow(ctx: GuardContext, policyIds?: readonly string[]): Decided {
    const options = this.#options;
    const call = this.#call(ctx, policyIds);
    const verdict = new Verdict(this.set, call, policyIds, options.mode === "off");
    if (verdict.off) return this.#build.finish(verdict, "none", NO_PENDING, undefined, undefined);
    // The one check of a stated cost: a cost no budget can count is refused before anything is counted.
    const { cost } = ctx;
    const costRefusal = cost === undefined ? undefined : costProblem(cost);
    const refusal =
      costRefusal !== undefined
        ? { kind: "cost" as const, reason: costRefusal }
        : call.statesPrice
          ? this.#price(call, policyIds)
          : undefined;
    if (refusal !== undefined) return this.#build.refusal(refusal);
    // Counters are listed as rules are reached, and touched only once every check has passed.
    let pending: PendingCounter[] | undefined;
    const rules = policyIds === undefined ? this.set.index.candidates(call) : this.#rulesFor(call, policyIds);
    for (const indexed of rules) {
      const { rule } = indexed;
      if (scopeMiss(rule.scope, call) !== undefined) continue;
      let failed = false;
      for (const check of rule.checks) {
        const failure = check.test(ctx, call.environment, call.now(), call.model);
        if (failure === undefined) continue;
        failed = true;
        verdict.add(indexed, this.#modes[indexed.seq] as Mode, { kind: check.kind, ...failure });
      }
      if (rule.unconditionalKind !== undefined && !failed)
        verdict.add(indexed, this.#modes[indexed.seq] as Mode, { kind: rule.unconditionalKind, reason: "" });
      if (rule.needsPrice && (call.price !== undefined || rule.maxCostMicros !== undefined)) {
        const finding = priceFinding(rule, call);
        if (finding !== undefined) verdict.add(indexed, this.#modes[indexed.seq] as Mode, finding);
      }
      if (rule.counters.length > 0) pending = withCounters(pending, indexed, call, this.#counterKeys, options.keys);
    }
    if (verdict.blocking?.kind === "time") verdict.blocking = whenWindowsOpen(call, this.#timeWindows(call, policyIds), verdict.blocking);
    if (pending === undefined) return this.#build.finish(verdict, "none", NO_PENDING, undefined, undefined);
    if ((cost !== undefined || call.price?.micros !== undefined) && verdict.blocking === undefined)
      pending = this.#withoutNeverFitting(verdict, pending);
    if (verdict.blocking !== undefined) {
      // A refused call counts only against the rate limits of `count: all` rules.
      const counted = countedWhenRefused(pending);
      if (counted === undefined) return this.#build.finish(verdict, "refused-before", NO_PENDING, undefined, undefined);
      pending = counted;
    }
    if (pending.length === 0) return this.#build.finish(verdict, "none", NO_PENDING, undefined, undefined);

    const { store } = options;
    let readings: readonly CounterReading[];
    // Counters count at the call's instant (the guardian's clock), which the decision keeps for its reset times.
    const countedAt = call.now();
    try {
      if (store.consumeSync === undefined) {
        return store.consume(pending, countedAt).then(
          (answered) => this.#judge(verdict, pending, answered, countedAt),
          (error: unknown) => this.#build.storeFailure(verdict, pending, error),
        );
      }
      readings = store.consumeSync(pending, countedAt);
    } catch (error) {
      return this.#build.storeFailure(verdict, pending, error);
    }
    return this.#judge(verdict, pending, readings, countedAt);
  }

  /** The time windows of the enforced blocking rules a call reaches. */
  #timeWindows(call: ScopedCall, policyIds: readonly string[] | undefined): Check[] {
    const windows: Check[] = [];
    for (const indexed of this.#rulesFor(call, policyIds)) {
      if (indexed.rule.action === "block" && this.#modes[indexed.seq] === "strict" && scopeMiss(indexed.rule.scope, call) === undefined) {
        for (const check of indexed.rule.checks) if (check.kind === "time") windows.push(check);
      }
    }
    return windows;
  }

  /** Compares each counter with its limit and reports the counters: lean for a call within every limit, the usual case. */
  #judge(verdict: Verdict, pending: readonly PendingCounter[], readings: readonly CounterReading[], countedAt: number): Decided {
    for (let i = 0; i < pending.length; i++) {
      if ((readings[i] as CounterReading).used > limitPoints((pending[i] as PendingCounter).counter))
        return this.#judgeOverLimit(verdict, pending, readings, countedAt);
    }
    const reports = new Array<CounterReport>(pending.length);
    for (let i = 0; i < pending.length; i++) {
      const p = pending[i] as PendingCounter;
      const reading = readings[i] as CounterReading;
      const report = counterReport(p, reading.used, reading);
      reports[i] = report;
      const { warnPoints } = p.counter;
      if (warnPoints !== undefined && reading.used >= warnPoints) verdict.warn(p.indexed, counterWarning(p, report, reading.used));
    }
    if (verdict.blocking !== undefined) return this.#build.finish(verdict, "counted-refused", NO_PENDING, reports, countedAt);
    return this.#build.finish(verdict, "kept", pending, reports, countedAt);
  }

  /** #judge for a call past a limit: records the findings, gives back every point of a refused call (and shadowed ones). */
  #judgeOverLimit(verdict: Verdict, pending: readonly PendingCounter[], readings: readonly CounterReading[], countedAt: number): Decided {
    let shadowed: PendingCounter[] | undefined;
    for (let i = 0; i < pending.length; i++) {
      const p = pending[i] as PendingCounter;
      const reading = readings[i] as CounterReading;
      if (reading.used <= limitPoints(p.counter)) continue;
      const counted = verdict.add(p.indexed, this.#modes[p.indexed.seq] as Mode, counterFinding(p, reading, countedAt));
      if (counted === "shadow") (shadowed ??= []).push(p);
    }
    const refused = verdict.blocking !== undefined;
    const givenBack = refused ? notCountedWhenRefused(pending) : (shadowed ?? NO_PENDING);
    const reports = new Array<CounterReport>(pending.length);
    let refunds: PendingCounter[] | undefined;
    for (let i = 0; i < pending.length; i++) {
      const p = pending[i] as PendingCounter;
      const reading = readings[i] as CounterReading;
      const back = givenBack.includes(p);
      if (back) (refunds ??= []).push(...refundOf(p, reading));
      const used = back ? reading.used - p.points : reading.used;
      const report = counterReport(p, used, reading);
      reports[i] = report;
      const { warnPoints } = p.counter;
      if (back || warnPoints === undefined || used < warnPoints || reading.used > limitPoints(p.counter)) continue;
      verdict.warn(p.indexed, counterWarning(p, report, used));
    }
    const kept = refused ? NO_PENDING : givenBack.length === 0 ? pending : withoutGivenBack(pending, givenBack);
    const decision = this.#build.finish(verdict, refused ? "given-back" : "kept", kept, reports, countedAt);
    return refunds === undefined ? decision : this.#build.refund(refunds, decision, countedAt);
  }

  /**
   * The counters of a call with a stated cost, less the budgets its cost can never fit (more than the whole budget):
   * each of those is found over its limit here, before any store call, and counts nothing in any mode.
   */
  #withoutNeverFitting(verdict: Verdict, pending: PendingCounter[]): PendingCounter[] {
    let fitting: PendingCounter[] | undefined;
    for (let i = 0; i < pending.length; i++) {
      const p = pending[i] as PendingCounter;
      if (p.counter.kind !== "budget" || p.points <= p.counter.limitMicros) {
        fitting?.push(p);
        continue;
      }
      fitting ??= pending.slice(0, i);
      verdict.add(p.indexed, this.#modes[p.indexed.seq] as Mode, neverFitsFinding(p, p.counter));
    }
    return fitting ?? pending;
  }
}

/** The warning of a counter past its warning threshold, `used` being its points after this call. */
function counterWarning(p: PendingCounter, report: CounterReport, used: number): DecisionWarning {
  return p.counter.kind === "rate" ? rateWarning(report) : budgetWarning(report, Math.floor((used * 100) / limitPoints(p.counter)));
}
