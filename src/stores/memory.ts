// The default store: counters in this process, through rate-limiter-flexible's RateLimiterMemory.
import { RateLimiterMemory, type RateLimiterRes } from "rate-limiter-flexible";
import { COUNTER_CEILING, uncountable, type CounterOp, type CounterReading, type CounterStore } from "./store.js";

/** Points large enough that the limiter itself never refuses: the engine compares against limits. */
const UNLIMITED = Number.MAX_SAFE_INTEGER;
/** The longest delay a Node timer can wait (about 24.8 days); RateLimiterMemory expires counters with one timer each. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;
/** How often counters with longer windows (monthly budgets) are swept once expired. */
const SWEEP_EVERY_MS = 60 * 60 * 1000;

/**
 * The synchronous core of RateLimiterMemory (its `_memoryStorage` in rate-limiter-flexible 11): the same map and
 * expiry timers its promise methods use, without a promise per call. Pinned by tests/unit/engine/memory-store.test.ts.
 */
interface LimiterStorage {
  incrby(key: string, points: number, durationSeconds: number): RateLimiterRes;
  get(key: string): RateLimiterRes | null;
  delete(key: string): boolean;
}

function storageOf(limiter: RateLimiterMemory): LimiterStorage | undefined {
  const storage = (limiter as unknown as { _memoryStorage?: Partial<LimiterStorage> })._memoryStorage;
  const complete = typeof storage?.incrby === "function" && typeof storage.get === "function" && typeof storage.delete === "function";
  return complete ? (storage as LimiterStorage) : undefined;
}

/**
 * Expiry of counters whose window is longer than a timer can wait. RateLimiterMemory keeps those without a timer;
 * this map says when each window ends, and one sweep an hour drops the expired ones, so memory stays bounded.
 */
class LongWindows {
  readonly #endsAt = new Map<string, number>();
  #sweeper: ReturnType<typeof setInterval> | undefined;

  /** Starts a window for `key` unless one is running (or `fresh` asks for a new one); drops the counter of a window that ended. */
  open(key: string, windowMs: number, now: number, drop: (key: string) => void, fresh: boolean): void {
    const endsAt = this.#endsAt.get(key);
    if (endsAt !== undefined && endsAt > now && !fresh) return;
    if (endsAt !== undefined && endsAt <= now) drop(key);
    this.#endsAt.set(key, now + windowMs);
    this.#sweeper ??= setInterval(() => this.sweep(Date.now(), drop), SWEEP_EVERY_MS);
    this.#sweeper.unref?.();
  }

  /** When the running window of `key` ends, or undefined when it has none. */
  endOf(key: string, now: number): number | undefined {
    const endsAt = this.#endsAt.get(key);
    return endsAt !== undefined && endsAt > now ? endsAt : undefined;
  }

  sweep(now: number, drop: (key: string) => void): void {
    for (const [key, endsAt] of this.#endsAt) {
      if (endsAt > now) continue;
      this.#endsAt.delete(key);
      drop(key);
    }
  }

  /** Forgets the window of `key`, whose counter was deleted. */
  forget(key: string): void {
    this.#endsAt.delete(key);
  }

  close(): void {
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }
}

function seconds(ms: number): number {
  return Math.max(ms, 1) / 1000;
}

/**
 * Counters kept in process memory. Each counter expires with its window (one timer per counter window, never one
 * per hit; windows longer than a Node timer allows are swept hourly), so memory stays bounded by the number of live
 * keys. Not shared between processes: use RedisStore for that. Answers synchronously (`consumeSync`), so the
 * engine waits on no promise per decision.
 * @example
 * createGuardian({ store: new MemoryStore() }) // the default
 */
export class MemoryStore implements CounterStore {
  readonly name = "memory";
  readonly #limiter = new RateLimiterMemory({ points: UNLIMITED, duration: 60, keyPrefix: "" });
  readonly #storage = storageOf(this.#limiter);
  readonly #long = new LongWindows();
  readonly #drop = (key: string): void => void this.#limiter.delete(key);

  /** Seconds to give the limiter for a window: 0 (no timer) for a long window, which LongWindows tracks instead. */
  #lifetime(key: string, windowMs: number, now: number, fresh = false): number {
    if (windowMs <= LONGEST_TIMER_MS) return seconds(windowMs);
    this.#long.open(key, windowMs, now, this.#drop, fresh);
    return 0;
  }

  /** The counter as a reading, or undefined when it does not exist or its window is over. */
  #reading(key: string, res: RateLimiterRes | null, now: number): CounterReading | undefined {
    if (res === null) return undefined;
    if (res.msBeforeNext > 0) return { used: res.consumedPoints, resetAt: now + res.msBeforeNext };
    const endsAt = this.#long.endOf(key, now);
    return endsAt === undefined ? undefined : { used: res.consumedPoints, resetAt: endsAt };
  }

  readonly consumeSync = this.#storage === undefined ? undefined : (ops: readonly CounterOp[], now = Date.now()): readonly CounterReading[] => {
    const refused = uncountable(ops);
    if (refused !== undefined) throw refused;
    const storage = this.#storage as LimiterStorage;
    const readings = new Array<CounterReading>(ops.length);
    for (let i = 0; i < ops.length; i++) {
      const { key, points, windowMs } = ops[i] as CounterOp;
      let res = storage.incrby(key, points, this.#lifetime(key, windowMs, now));
      // Exact: the counter was at most the ceiling before, so it is less than twice it now.
      if (res.consumedPoints > COUNTER_CEILING) res = storage.incrby(key, COUNTER_CEILING - res.consumedPoints, 0);
      readings[i] = this.#reading(key, res, now) as CounterReading;
    }
    return readings;
  };

  readonly refundSync = this.#storage === undefined ? undefined : (ops: readonly CounterOp[]): void => {
    const refused = uncountable(ops);
    if (refused !== undefined) throw refused;
    const storage = this.#storage as LimiterStorage;
    for (const op of ops) {
      // One step in the usual case; a counter that was gone is dropped again, one taken below zero is set back to 0.
      const res = storage.incrby(op.key, -op.points, 0);
      if (res.isFirstInDuration) storage.delete(op.key);
      else if (res.consumedPoints < 0) storage.incrby(op.key, -res.consumedPoints, 0);
    }
  };

  async consume(ops: readonly CounterOp[]): Promise<readonly CounterReading[]> {
    if (this.consumeSync !== undefined) return this.consumeSync(ops);
    const refused = uncountable(ops);
    if (refused !== undefined) throw refused;
    const readings: CounterReading[] = [];
    for (const op of ops) {
      const lifetime = this.#lifetime(op.key, op.windowMs, Date.now());
      const res = await this.#limiter.consume(op.key, op.points, { customDuration: lifetime });
      readings.push(this.#reading(op.key, res, Date.now()) as CounterReading);
    }
    return readings;
  }

  async refund(ops: readonly CounterOp[]): Promise<void> {
    if (this.refundSync !== undefined) return this.refundSync(ops);
    const refused = uncountable(ops);
    if (refused !== undefined) throw refused;
    for (const op of ops) {
      const points = refundable(this.#reading(op.key, await this.#limiter.get(op.key), Date.now()), op.points);
      if (points > 0) await this.#limiter.reward(op.key, points);
    }
  }

  async peek(key: string): Promise<CounterReading | undefined> {
    return this.#reading(key, await this.#limiter.get(key), Date.now());
  }

  async set(key: string, used: number, windowMs: number): Promise<void> {
    await this.#limiter.set(key, used, this.#lifetime(key, windowMs, Date.now(), true));
  }

  async claimOnce(key: string, ttlMs: number): Promise<boolean> {
    const res = await this.#limiter.consume(key, 1, { customDuration: this.#lifetime(key, ttlMs, Date.now()) });
    return res.consumedPoints === 1;
  }

  async resetKey(key: string): Promise<void> {
    await this.#limiter.delete(key);
    this.#long.forget(key);
  }

  /** Walks the limiter's own map (rate-limiter-flexible 11 `_memoryStorage._storage`), pinned by the reset tests. */
  async resetPrefix(prefix: string): Promise<void> {
    const map = (this.#storage as { _storage?: unknown } | undefined)?._storage;
    if (!(map instanceof Map)) throw new Error("this rate-limiter-flexible version does not let MemoryStore list its counters");
    for (const key of [...(map as Map<string, unknown>).keys()]) if (key.startsWith(prefix)) await this.resetKey(key);
  }

  /** The keys of every live counter whose key starts with `prefix`. */
  async keysWithPrefix(prefix: string): Promise<string[]> {
    const map = (this.#storage as { _storage?: unknown } | undefined)?._storage;
    if (!(map instanceof Map)) throw new Error("this rate-limiter-flexible version does not let MemoryStore list its counters");
    const keys: string[] = [];
    for (const key of (map as Map<string, unknown>).keys()) if (key.startsWith(prefix) && (await this.peek(key)) !== undefined) keys.push(key);
    return keys;
  }

  /** Stops the hourly sweep of long windows (counters with short windows need nothing). */
  async close(): Promise<void> {
    this.#long.close();
  }
}

/** Points a refund may take back from a counter: never more than it holds, nothing once its window is over. */
function refundable(reading: CounterReading | undefined, points: number): number {
  return reading === undefined ? 0 : Math.min(points, reading.used);
}
