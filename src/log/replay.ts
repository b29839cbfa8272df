// Decides recorded calls again under a candidate policy set: the same engine, fresh counters, each record's own instant.
import type { PolicySet } from "../engine/compile/policy-set.js";
import type { GuardContext } from "../engine/context.js";
import type { Decision, Outcome } from "../engine/decision.js";
import { Engine } from "../engine/engine.js";
import type { CounterStore } from "../stores/store.js";
import { recordContext, type ReadRecord } from "./replay-record.js";

/** One decision whose outcome the candidate changes. */
export interface ReplayChange {
  readonly time: string;
  readonly id: string;
  readonly method: string | undefined;
  readonly route: string | undefined;
  readonly operation: string | readonly string[] | undefined;
  readonly resource: string | undefined;
  readonly client: string | undefined;
  readonly user: string | undefined;
  readonly before: string;
  readonly after: Outcome;
  /** The policy that decides it under the candidate, else the one that decided it when recorded (`-`: none). */
  readonly policy: string;
  /** Why, under the candidate. */
  readonly reason: string;
}

/** Records read but not compared, by why. */
export interface ReplaySkipped {
  /** Asked of a policy the candidate no longer has (not decided), or decided by one it removed (decided, not compared). */
  removed: number;
  /** A field the candidate examines as it is (user, route) was written hashed (`logging.redact`). */
  redacted: number;
  /** Outcome `error`: a store or log failure at the time, not a policy's answer. */
  failures: number;
  /** Charges recorded for calls already made (asked of no policy), not decisions. */
  charges: number;
  /** Fields of the wrong type, or an instant out of range. */
  unreadable: number;
}

/** What a replay found. `total` counts the decisions compared: `unchanged + changed`. */
export interface ReplayResult {
  readonly total: number;
  readonly unchanged: number;
  readonly changed: number;
  /** `before → after` → count. */
  readonly byTransition: ReadonlyMap<string, number>;
  /** policy → count of changed decisions. */
  readonly byPolicy: ReadonlyMap<string, number>;
  readonly skipped: Readonly<ReplaySkipped>;
  /** Records that do not say how they were asked (written before `asked`): replayed as every policy. */
  readonly unasked: number;
}

/** How to replay: the period and policy reported, and where each change goes (a replay never holds them all). */
export interface ReplayOptions {
  /** Epoch ms, inclusive: earlier records are decided (so counters hold what they held) but not compared. */
  readonly since?: number | undefined;
  /** Epoch ms, exclusive: the reader stops here. */
  readonly until?: number | undefined;
  /** Compare only decisions this policy made, before or after, or that were asked of it by name. */
  readonly policy?: string | undefined;
  readonly onChange: (change: ReplayChange) => void;
}

/** Most reservations kept for their settle records; the oldest are let go first (a settle that late finds none). */
const OPEN_RESERVATIONS = 100_000;

/**
 * Replays decision and settle records, in the order given, under `candidate`. `store` must be empty and answer
 * synchronously (a fresh MemoryStore): the engine then decides each record without waiting on a promise.
 * @example const replay = new Replay(set, new MemoryStore(), { onChange: print }); for (const r of records) replay.decision(r);
 */
export class Replay {
  readonly #engine: Engine;
  readonly #set: PolicySet;
  readonly #options: ReplayOptions;
  readonly #needsRawUser: boolean;
  readonly #needsRawRoute: boolean;
  /** Replayed decisions holding a budget reservation, by record id, for the settle records that follow. */
  readonly #reserved = new Map<string, Decision>();
  #now = 0;
  #unchanged = 0;
  #changed = 0;
  #unasked = 0;
  readonly #byTransition = new Map<string, number>();
  readonly #byPolicy = new Map<string, number>();
  readonly #skipped: ReplaySkipped = { removed: 0, redacted: 0, failures: 0, charges: 0, unreadable: 0 };

  constructor(candidate: PolicySet, store: CounterStore, options: ReplayOptions) {
    this.#set = candidate;
    this.#options = options;
    this.#engine = new Engine(candidate, {
      store,
      mode: undefined,
      environment: "development",
      clock: () => this.#now,
      keys: {},
      prefix: "replay:",
      storeRetryAfter: 5,
      onStoreError: () => undefined,
    });
    this.#needsRawUser = candidate.rules.some((indexed) => indexed.rule.spec.allowed_users !== undefined);
    // A hashed client, user or route still names one partition; only these checks compare the value itself.
    this.#needsRawRoute = candidate.rules.some((indexed) => indexed.rule.spec.route !== undefined);
  }

  /** Decides one decision record again and compares the outcomes. */
  decision(record: ReadRecord): void {
    const skip = this.#skipReason(record);
    if (skip !== undefined) {
      // Only the period reported is counted; earlier records are decided for their counters alone.
      if (this.#options.since === undefined || record.at >= this.#options.since) this.#skipped[skip] += 1;
      return;
    }
    let context: GuardContext;
    let decided: Decision | Promise<Decision>;
    this.#now = record.at;
    try {
      context = recordContext(record);
      decided = this.#engine.decideNow(context, record.asked === "*" || record.asked === undefined ? undefined : record.asked);
    } catch {
      this.#skipped.unreadable += 1;
      return;
    }
    const inPeriod = this.#options.since === undefined || record.at >= this.#options.since;
    if (record.asked === undefined && inPeriod) this.#unasked += 1;
    // A store that answers synchronously gives a Decision; anything else is a misuse, not a record's fault.
    if (!("outcome" in decided)) throw new TypeError("hexarch replay needs a store that answers synchronously (MemoryStore)");
    if (decided.reserved !== undefined) this.#hold(record.id, decided);
    if (!inPeriod) return;
    if (record.policy !== undefined && !this.#set.policies.has(record.policy)) {
      this.#skipped.removed += 1;
      return;
    }
    if (!this.#reported(record, decided)) return;
    if (decided.outcome === record.outcome) {
      this.#unchanged += 1;
      return;
    }
    this.#changed += 1;
    const policy = decided.policyId ?? record.policy ?? "-";
    const transition = `${record.outcome} → ${decided.outcome}`;
    this.#byTransition.set(transition, (this.#byTransition.get(transition) ?? 0) + 1);
    this.#byPolicy.set(policy, (this.#byPolicy.get(policy) ?? 0) + 1);
    const { context: written } = record;
    this.#options.onChange({
      time: record.time,
      id: record.id,
      method: written.method,
      route: written.route,
      operation: written.operation,
      resource: written.resource,
      client: written.client,
      user: written.user,
      before: record.outcome,
      after: decided.outcome,
      policy,
      reason: decided.reason,
    });
  }

  /** A record that could not be read (see readDecision): counted, never decided. */
  unreadable(): void {
    this.#skipped.unreadable += 1;
  }

  /** A settle record: the replayed reservation of its decision (if the candidate let the call go ahead) settles at the recorded cost. */
  async settle(id: string, cost: number): Promise<void> {
    const decision = this.#reserved.get(id);
    if (decision === undefined) return;
    this.#reserved.delete(id);
    await decision.settle(cost);
  }

  /** The counts so far. */
  result(): ReplayResult {
    return {
      total: this.#unchanged + this.#changed,
      unchanged: this.#unchanged,
      changed: this.#changed,
      byTransition: this.#byTransition,
      byPolicy: this.#byPolicy,
      skipped: { ...this.#skipped },
      unasked: this.#unasked,
    };
  }

  /** Why a record is not decided again, or undefined when it is. */
  #skipReason(record: ReadRecord): keyof ReplaySkipped | undefined {
    if (record.outcome === "error") return "failures";
    const { asked } = record;
    if (asked !== undefined && asked !== "*") {
      if (asked.length === 0) return "charges";
      if (asked.some((id) => !this.#set.policies.has(id))) return "removed";
    }
    const { user, route } = record.context;
    if (this.#needsRawUser && user?.startsWith("h:") === true) return "redacted";
    if (this.#needsRawRoute && route?.startsWith("h:") === true) return "redacted";
    return undefined;
  }

  /** Whether a decided record of the period concerns the policy the replay reports on (every record when none is named). */
  #reported(record: ReadRecord, decided: Decision): boolean {
    const { policy } = this.#options;
    if (policy === undefined) return true;
    return (
      record.policy === policy ||
      decided.policyId === policy ||
      (record.asked !== undefined && record.asked !== "*" && record.asked.includes(policy))
    );
  }

  #hold(id: string, decision: Decision): void {
    if (this.#reserved.size >= OPEN_RESERVATIONS) {
      for (const oldest of this.#reserved.keys()) {
        this.#reserved.delete(oldest);
        break;
      }
    }
    this.#reserved.set(id, decision);
  }
}
