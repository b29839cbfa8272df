// The engine: a compiled policy set and a call in, a Decision out. Checks first, then one batched counter update.
import type { CounterOp, CounterReading, CounterStore } from "../stores/store.js";
import type { IndexedRule, Mode, PolicySet } from "./compile/policy-set.js";
import { fromMicros, toMicros, type Counter, type KeyKind } from "./compile/rule.js";
import type { GuardContext } from "./context.js";
import { Decision, type CounterReport, type DecisionWarning, type Outcome, type RuleRef } from "./decision.js";
import { explainDecision, type RuleNote } from "./explain.js";
import { counterFinding, findingReason, findingOutcome, rateWarning, budgetWarning, type Finding } from "./finding.js";
import { scopedCall, scopeMiss, type ScopedCall } from "./scope.js";

/** A function that derives a custom counter key from a call. */
export type KeyFunction = (ctx: GuardContext) => string | undefined;

export interface EngineOptions {
  readonly store: CounterStore;
  /** Overrides every policy's mode; `off` skips evaluation entirely. */
  readonly mode: Mode | "off" | undefined;
  readonly environment: string;
  readonly clock: () => number;
  readonly keys: Readonly<Record<string, KeyFunction>>;
  /** Namespace for counter keys, so apps and environments sharing a store stay apart. */
  readonly prefix: string;
  /** Seconds a client is told to wait after a store failure under a fail-closed policy. */
  readonly storeRetryAfter: number;
  readonly onStoreError: (error: unknown) => void;
}

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
}

interface PendingCounter {
  readonly indexed: IndexedRule;
  readonly counter: Counter;
  readonly op: CounterOp;
  readonly partition: string;
  readonly periodEnd: number | undefined;
}

const SEVERITY: Record<Outcome, number> = { allow: 0, warn: 1, confirm: 2, limit: 3, deny: 4, error: 5 };
const ALLOW_REASON = "no policy refused this call";

function partitionOf(key: KeyKind, ctx: GuardContext, keys: EngineOptions["keys"]): string {
  const client = ctx.client ?? "unknown-client";
  if (typeof key === "object") return ctx.keys?.[key.custom] ?? keys[key.custom]?.(ctx) ?? `client:${client}`;
  switch (key) {
    case "global":
      return "*";
    case "user":
      return ctx.user ?? `client:${client}`;
    case "api_key":
      return ctx.apiKey ?? `client:${client}`;
    case "route":
      return ctx.route ?? "*";
    default:
      return client;
  }
}

function isConfirmed(ctx: GuardContext, policyId: string): boolean {
  const confirm = ctx.confirm;
  return confirm === true || (Array.isArray(confirm) && confirm.includes(policyId));
}

/** Evaluates calls against one compiled policy set. Construct once; `decide` is the hot path. */
export class Engine {
  readonly set: PolicySet;
  readonly #options: EngineOptions;

  constructor(set: PolicySet, options: EngineOptions) {
    this.set = set;
    this.#options = options;
  }

  /** The rules a call reaches: every enabled policy through the index, or only the named policies. */
  #rulesFor(call: ScopedCall, policyIds: readonly string[] | undefined): readonly IndexedRule[] {
    if (policyIds === undefined) return this.set.index.candidates(call.ctx.resource, call.operations);
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

  /** The counters a call would count against, with their store keys, without touching the store. */
  countersFor(ctx: GuardContext, policyIds?: readonly string[]): CounterSlot[] {
    const call = scopedCall(ctx, ctx.environment ?? this.#options.environment, policyIds !== undefined);
    const pending = this.#counterOps(this.#applicable(call, policyIds), ctx, ctx.now ?? this.#options.clock());
    return pending.map(({ indexed, counter, partition, op }) => ({
      rule: indexed.rule.ref,
      kind: counter.kind,
      window: counter.window,
      partition,
      key: op.key,
      windowMs: op.windowMs,
      points: (amount: number) => (counter.kind === "rate" ? Math.round(amount) : toMicros(amount)),
    }));
  }

  #modeOf(indexed: IndexedRule): Mode {
    return this.#options.mode === "strict" || this.#options.mode === "warn" ? this.#options.mode : (indexed.policy.mode ?? this.set.mode);
  }

  /** Decides one call. Never throws for a refusal; store failures follow each policy's fail mode. */
  async decide(ctx: GuardContext, policyIds?: readonly string[]): Promise<Decision> {
    const options = this.#options;
    const call = scopedCall(ctx, ctx.environment ?? options.environment, policyIds !== undefined);
    if (options.mode === "off") return new Decision({ outcome: "allow", reason: "enforcement is off", explain: () => this.#explain(call, policyIds, []) });
    const now = ctx.now ?? options.clock();
    const applicable = this.#applicable(call, policyIds);
    const state = new Verdict(ctx);

    for (const indexed of applicable) {
      const { rule } = indexed;
      for (const check of rule.checks) {
        const failure = check.test(ctx, call.environment, now);
        if (failure !== undefined) state.add(indexed, this.#modeOf(indexed), { kind: check.kind, ...failure });
      }
      if (rule.unconditionalKind !== undefined) state.add(indexed, this.#modeOf(indexed), { kind: rule.unconditionalKind, reason: "" });
    }
    if (state.blocking !== undefined) return this.#finish(call, policyIds, state, []);

    const pending = this.#counterOps(applicable, ctx, now);
    if (pending.length === 0) return this.#finish(call, policyIds, state, []);
    let readings: readonly CounterReading[];
    try {
      readings = await options.store.consume(pending.map((p) => p.op));
    } catch (error) {
      return this.#storeFailure(call, policyIds, state, pending, error);
    }
    const shadowRefunds: CounterOp[] = [];
    pending.forEach((p, i) => {
      const reading = readings[i] as CounterReading;
      const report = counterReport(p, reading);
      state.counters.push(report);
      const mode = this.#modeOf(p.indexed);
      if (reading.used > (p.counter.kind === "rate" ? p.counter.limit : p.counter.limitMicros)) {
        const triggered = state.add(p.indexed, mode, counterFinding(report, now));
        if (triggered === "shadow") shadowRefunds.push(p.op);
      } else if (p.indexed.rule.warnAt !== undefined && report.used >= p.indexed.rule.warnAt * report.limit) {
        state.warnings.push(p.counter.kind === "rate" ? rateWarning(report) : budgetWarning(report));
      }
    });
    const ops = pending.map((p) => p.op);
    if (state.blocking !== undefined) await this.#refund(ops);
    else if (shadowRefunds.length > 0) await this.#refund(shadowRefunds);
    return this.#finish(call, policyIds, state, state.blocking === undefined ? pending : []);
  }

  #counterOps(applicable: readonly IndexedRule[], ctx: GuardContext, now: number): PendingCounter[] {
    const pending: PendingCounter[] = [];
    const { prefix, keys } = this.#options;
    for (const indexed of applicable) {
      indexed.rule.counters.forEach((counter, c) => {
        const partition = partitionOf(counter.key, ctx, keys);
        const base = `${prefix}${indexed.policy.id}:${indexed.rule.ref.index}:${c}:${partition}`;
        if (counter.kind === "rate") {
          pending.push({ indexed, counter, partition, periodEnd: undefined, op: { key: base, points: 1, windowMs: counter.windowMs } });
        } else {
          const period = counter.period(now);
          const points = counter.fixedCostMicros ?? toMicros(ctx.cost ?? 1);
          const windowMs = period.endsAt - now + 60_000;
          pending.push({ indexed, counter, partition, periodEnd: period.endsAt, op: { key: `${base}:${period.id}`, points, windowMs } });
        }
      });
    }
    return pending;
  }

  async #refund(ops: readonly CounterOp[]): Promise<void> {
    try {
      await this.#options.store.refund(ops);
    } catch (error) {
      this.#options.onStoreError(error);
    }
  }

  #storeFailure(call: ScopedCall, policyIds: readonly string[] | undefined, state: Verdict, pending: readonly PendingCounter[], error: unknown): Decision {
    this.#options.onStoreError(error);
    const message = `counter store ${this.#options.store.name} failed: ${error instanceof Error ? error.message : String(error)}`;
    const closed = pending.find((p) => p.indexed.policy.fail === "closed");
    if (closed !== undefined) {
      state.add(closed.indexed, "strict", { kind: "store", reason: message, retryAfter: this.#options.storeRetryAfter });
    } else {
      state.warnings.push({ kind: "store", message: `${message}; allowed because the policies fail open` });
    }
    return this.#finish(call, policyIds, state, []);
  }

  #finish(call: ScopedCall, policyIds: readonly string[] | undefined, state: Verdict, reserved: readonly PendingCounter[]): Decision {
    const notes = state.notes;
    const explain = () => this.#explain(call, policyIds, notes);
    const blocking = state.blocking;
    if (blocking !== undefined) {
      return new Decision({
        outcome: blocking.outcome,
        kind: blocking.kind,
        reason: blocking.reason,
        rule: blocking.indexed.rule.ref,
        retryAfter: blocking.retryAfter,
        counters: state.counters,
        warnings: state.warnings,
        explain,
      });
    }
    const shadow = state.shadow;
    return new Decision({
      outcome: state.warnings.length > 0 ? "warn" : "allow",
      reason: shadow?.reason ?? state.warnings[0]?.message ?? ALLOW_REASON,
      rule: shadow?.indexed.rule.ref,
      wouldBe: shadow?.outcome,
      counters: state.counters,
      warnings: state.warnings,
      explain,
      settle: this.#settler(reserved),
    });
  }

  #settler(reserved: readonly PendingCounter[]): ((actual: number) => Promise<void>) | undefined {
    const budgets = reserved.filter((p) => p.counter.kind === "budget" && p.counter.fixedCostMicros === undefined);
    if (budgets.length === 0) return undefined;
    let settled = false;
    return async (actual) => {
      if (settled || !Number.isFinite(actual) || actual < 0) return;
      settled = true;
      const extra: CounterOp[] = [];
      const back: CounterOp[] = [];
      for (const { op } of budgets) {
        const delta = toMicros(actual) - op.points;
        if (delta > 0) extra.push({ ...op, points: delta });
        else if (delta < 0) back.push({ ...op, points: -delta });
      }
      try {
        if (extra.length > 0) await this.#options.store.consume(extra);
        if (back.length > 0) await this.#options.store.refund(back);
      } catch (error) {
        this.#options.onStoreError(error);
      }
    };
  }

  #explain(call: ScopedCall, policyIds: readonly string[] | undefined, notes: readonly RuleNote[]) {
    return explainDecision(this.set, call, policyIds, notes, this.#options.mode === "off");
  }
}

function counterReport(p: PendingCounter, reading: CounterReading): CounterReport {
  const { counter, indexed } = p;
  if (counter.kind === "rate") {
    return {
      rule: indexed.rule.ref,
      kind: "rate",
      window: counter.window,
      windowSeconds: counter.windowMs / 1000,
      limit: counter.limit,
      used: reading.used,
      remaining: Math.max(counter.limit - reading.used, 0),
      resetAt: reading.resetAt,
      partition: p.partition,
      warnAt: indexed.rule.warnAt,
    };
  }
  const resetAt = p.periodEnd ?? reading.resetAt;
  return {
    rule: indexed.rule.ref,
    kind: "budget",
    window: counter.window,
    windowSeconds: Math.round((resetAt - counter.period(resetAt - 1).startsAt) / 1000),
    limit: fromMicros(counter.limitMicros),
    used: fromMicros(reading.used),
    remaining: Math.max(fromMicros(counter.limitMicros - reading.used), 0),
    resetAt,
    partition: p.partition,
    warnAt: indexed.rule.warnAt,
  };
}

/** What one evaluation has found so far: the most severe enforced finding, shadow findings, warnings, counters. */
class Verdict {
  blocking: (Finding & { outcome: Outcome; indexed: IndexedRule }) | undefined;
  shadow: { outcome: Outcome; reason: string; indexed: IndexedRule } | undefined;
  readonly warnings: DecisionWarning[] = [];
  readonly counters: CounterReport[] = [];
  readonly notes: RuleNote[] = [];
  readonly #ctx: GuardContext;

  constructor(ctx: GuardContext) {
    this.#ctx = ctx;
  }

  /** Records a triggered rule; returns how it counted: enforced, shadow (warn mode), warned, or confirmed. */
  add(indexed: IndexedRule, mode: Mode, finding: Finding): "enforced" | "shadow" | "warned" | "confirmed" {
    const { rule, policy } = indexed;
    const outcome = findingOutcome(rule.action, finding.kind);
    const reason = findingReason(indexed, finding, outcome);
    if (outcome === "confirm" && isConfirmed(this.#ctx, policy.id)) {
      this.notes.push({ indexed, text: `${reason} (confirmed by the caller)` });
      return "confirmed";
    }
    this.notes.push({ indexed, text: reason });
    if (outcome === "warn") {
      this.warnings.push({ kind: "rule", rule: rule.ref, message: reason });
      return "warned";
    }
    if (mode === "warn") {
      this.warnings.push({ kind: "shadow", rule: rule.ref, message: `shadow mode: ${reason}`, wouldBe: outcome });
      if (this.shadow === undefined || SEVERITY[outcome] > SEVERITY[this.shadow.outcome]) this.shadow = { outcome, reason, indexed };
      return "shadow";
    }
    const current = this.blocking;
    // Among equally severe findings, the one that clears last decides, so Retry-After is never too early.
    const laterRetry = current !== undefined && outcome === current.outcome && (finding.retryAfter ?? 0) > (current.retryAfter ?? 0);
    if (current === undefined || SEVERITY[outcome] > SEVERITY[current.outcome] || laterRetry) {
      this.blocking = { ...finding, outcome, reason, indexed };
    }
    return "enforced";
  }
}

