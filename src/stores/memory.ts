// The default store: counters in this process, on the engine's clock, for every rate algorithm and for budgets.
import { TokenBucket, tokensOut } from "./admitting/gcra.js";
import { SlidingLog } from "./admitting/sliding-log.js";
import { PolicyConfigError } from "../errors/config-error.js";
import {
  COUNTER_CEILING,
  MAX_POINTS,
  uncountable,
  type AdmittingRate,
  type CounterOp,
  type CounterReading,
  type CounterShape,
  type CounterStore,
} from "./store.js";

/** How often counters whose window is over are dropped. */
const SWEEP_EVERY_MS = 60_000;

/** A fixed-window counter (and a budget): points, and when its window ends. */
interface FixedCounter {
  readonly kind: "fixed";
  used: number;
  expiresAt: number;
}

/** A sliding window is its log; a token bucket its GCRA state; both say when they can be dropped. */
type Entry = FixedCounter | TokenBucket | SlidingLog;

/** Options for MemoryStore. */
export interface MemoryStoreOptions {
  /**
   * The instant (epoch ms) of calls that do not state one (`peek`, `set`, `refund` made by hand); the engine states
   * its own on every count. createGuardian gives the store it makes its own `clock`. Default: `Date.now`.
   */
  readonly clock?: () => number;
}

/**
 * Counters kept in process memory, counted at the instant the engine gives (the guardian's `clock`), so tests and
 * `hexarch test` can step time through rate windows. One map entry per live counter: a number pair for a fixed window
 * or budget, one number for a token bucket, the instants of the admitted calls for a sliding window. Counters whose
 * window is over are dropped when next touched and by a sweep once a minute, so memory stays bounded by the live
 * keys. Not shared between processes: use RedisStore for that. Answers synchronously (`consumeSync`).
 * @example
 * createGuardian({ store: new MemoryStore() }) // the default
 */
export class MemoryStore implements CounterStore {
  readonly name = "memory";
  readonly #clock: () => number;
  readonly #entries = new Map<string, Entry>();
  /** Single-use claims, on the real clock: a token's lifetime is wall time whatever the engine's clock says. */
  readonly #claims = new Map<string, number>();
  /** Texts kept by putText, with when they end (wall time). */
  readonly #texts = new Map<string, { readonly text: string; readonly endsAt: number }>();
  /** The latest instant the engine counted at; the sweep drops what is over by then. */
  #latest = 0;
  #sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(options: MemoryStoreOptions = {}) {
    const { clock = Date.now } = options;
    if (typeof clock !== "function") {
      const problem = {
        file: "<options>",
        path: "MemoryStore.clock",
        message: `expected a function, got ${typeof clock}`,
        fix: "pass a function returning epoch milliseconds, or leave it out",
      };
      throw new PolicyConfigError([problem], "MemoryStore cannot be created");
    }
    this.#clock = clock;
  }

  /** The entry of `key` when its window is still running at `now`. */
  #live(key: string, now: number): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt > now) return entry;
    this.#entries.delete(key);
    return undefined;
  }

  #seen(now: number): void {
    if (now > this.#latest) this.#latest = now;
    if (this.#sweeper !== undefined) return;
    this.#sweeper = setInterval(() => this.#sweep(), SWEEP_EVERY_MS);
    this.#sweeper.unref?.();
  }

  #sweep(): void {
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= this.#latest) this.#entries.delete(key);
    const wallNow = Date.now();
    for (const [key, endsAt] of this.#claims) if (endsAt <= wallNow) this.#claims.delete(key);
    for (const [key, kept] of this.#texts) if (kept.endsAt <= wallNow) this.#texts.delete(key);
  }

  #take(op: CounterOp, now: number): CounterReading {
    const { key, points, windowMs, rate } = op;
    if (rate !== undefined)
      return rate.algorithm === "sliding_window"
        ? this.#takeSliding(key, points, windowMs, rate, now)
        : this.#takeToken(key, points, windowMs, rate, now);
    const entry = this.#live(key, now);
    if (entry === undefined || entry.kind !== "fixed") {
      const fresh: FixedCounter = { kind: "fixed", used: Math.min(points, COUNTER_CEILING) + 0, expiresAt: now + Math.max(windowMs, 1) };
      this.#entries.set(key, fresh);
      return { used: fresh.used, resetAt: fresh.expiresAt };
    }
    entry.used = Math.min(entry.used + points, COUNTER_CEILING);
    return { used: entry.used, resetAt: entry.expiresAt };
  }

  #takeSliding(key: string, points: number, windowMs: number, rate: AdmittingRate, now: number): CounterReading {
    const entry = this.#live(key, now);
    if (entry?.kind === "log") return entry.take(points, now, windowMs, rate.limit);
    const log = new SlidingLog();
    const reading = log.take(points, now, windowMs, rate.limit);
    if (reading.mark !== undefined) this.#entries.set(key, log);
    return reading;
  }

  #takeToken(key: string, points: number, windowMs: number, rate: AdmittingRate, now: number): CounterReading {
    const entry = this.#live(key, now);
    if (entry?.kind === "bucket") return entry.take(points, now, windowMs, rate.limit, rate.burst);
    const bucket = new TokenBucket();
    const reading = bucket.take(points, now, windowMs, rate.limit, rate.burst);
    if (reading.mark !== undefined) this.#entries.set(key, bucket);
    return reading;
  }

  #giveBack(op: CounterOp, now: number): void {
    const entry = this.#live(op.key, now);
    if (entry === undefined) return;
    if (entry.kind === "fixed") {
      // Never below zero: a counter that holds fewer points than the refund is left at 0.
      entry.used = Math.max(entry.used - op.points, 0);
    } else if (entry.kind === "log") {
      if (op.mark !== undefined) entry.giveBack(op.points, op.mark);
    } else if (op.mark !== undefined && op.rate !== undefined) {
      entry.giveBack(op.points, op.mark, op.windowMs, op.rate.limit);
      if (entry.expiresAt <= now) this.#entries.delete(op.key);
    }
  }

  #refundAt(ops: readonly CounterOp[], now: number): void {
    const refused = uncountable(ops);
    if (refused !== undefined) throw refused;
    for (const op of ops) this.#giveBack(op, now);
  }

  /**
   * Counts a batch at `now`: every op is checked before any counter moves, so a batch with one op it cannot count
   * counts nothing (`uncountable` names that op). The check is written out here, on the path of every decision.
   */
  readonly consumeSync: NonNullable<CounterStore["consumeSync"]> = (ops, now = this.#clock()) => {
    for (const { points } of ops)
      if (!(points >= 0 && points <= MAX_POINTS && Number.isInteger(points))) throw uncountable(ops) as RangeError;
    if (now > this.#latest) this.#latest = now;
    if (this.#sweeper === undefined) this.#seen(now);
    const readings = new Array<CounterReading>(ops.length);
    for (let i = 0; i < ops.length; i++) readings[i] = this.#take(ops[i] as CounterOp, now);
    return readings;
  };

  readonly refundSync: CounterStore["refundSync"] = (ops, now = this.#clock()) => this.#refundAt(ops, now);

  async consume(ops: readonly CounterOp[], now = this.#clock()): Promise<readonly CounterReading[]> {
    return this.consumeSync(ops, now);
  }

  async refund(ops: readonly CounterOp[], now = this.#clock()): Promise<void> {
    this.#refundAt(ops, now);
  }

  async peek(key: string, shape?: CounterShape, now = this.#clock()): Promise<CounterReading | undefined> {
    const entry = this.#live(key, now);
    if (entry === undefined) return undefined;
    if (entry.kind === "fixed") return { used: entry.used, resetAt: entry.expiresAt };
    if (entry.kind === "log") return entry.read(now, shape?.windowMs ?? entry.expiresAt - now);
    const rate = shape?.rate;
    const interval = rate === undefined ? 1 : (shape as CounterShape).windowMs / rate.limit;
    return { used: tokensOut(entry.expiresAt, now, interval), resetAt: entry.expiresAt };
  }

  async set(key: string, used: number, windowMs: number, rate?: AdmittingRate, now = this.#clock()): Promise<void> {
    this.#seen(now);
    if (rate === undefined) {
      this.#entries.set(key, { kind: "fixed", used, expiresAt: now + Math.max(windowMs, 1) });
    } else if (rate.algorithm === "sliding_window") {
      const log = new SlidingLog();
      log.fill(used, now, windowMs, rate.limit);
      this.#entries.set(key, log);
    } else {
      const taken = Math.min(used, rate.burst);
      const bucket = new TokenBucket();
      if (taken > 0 && bucket.take(taken, now, windowMs, rate.limit, rate.burst).mark !== undefined) this.#entries.set(key, bucket);
      else this.#entries.delete(key);
    }
  }

  async claimOnce(key: string, ttlMs: number): Promise<boolean> {
    const wallNow = Date.now();
    const endsAt = this.#claims.get(key);
    if (endsAt !== undefined && endsAt > wallNow) return false;
    this.#claims.set(key, wallNow + Math.max(ttlMs, 1));
    this.#seen(this.#latest);
    return true;
  }

  async putText(key: string, text: string, ttlMs: number): Promise<void> {
    this.#texts.set(key, { text, endsAt: Date.now() + Math.max(ttlMs, 1) });
    this.#seen(this.#latest);
  }

  async getText(key: string): Promise<string | undefined> {
    const kept = this.#texts.get(key);
    if (kept === undefined || kept.endsAt > Date.now()) return kept?.text;
    this.#texts.delete(key);
    return undefined;
  }

  /** Compares and sets without waiting in between, so no other call of this process comes between the two. */
  async swapText(key: string, expected: string | undefined, next: string, ttlMs: number): Promise<boolean> {
    const kept = this.#texts.get(key);
    const current = kept === undefined || kept.endsAt <= Date.now() ? undefined : kept.text;
    if (current !== expected) return false;
    this.#texts.set(key, { text: next, endsAt: Date.now() + Math.max(ttlMs, 1) });
    this.#seen(this.#latest);
    return true;
  }

  async resetKey(key: string): Promise<void> {
    this.#entries.delete(key);
    this.#claims.delete(key);
  }

  async resetPrefix(prefix: string): Promise<void> {
    for (const key of [...this.#entries.keys()]) if (key.startsWith(prefix)) this.#entries.delete(key);
  }

  /** The keys of every live counter whose key starts with `prefix`. */
  async keysWithPrefix(prefix: string): Promise<string[]> {
    const now = this.#clock();
    const keys: string[] = [];
    for (const [key, entry] of this.#entries) if (key.startsWith(prefix) && entry.expiresAt > now) keys.push(key);
    return keys;
  }

  /** Stops the sweep (counters need no other timer). */
  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }
}
