// The default store: counters in this process, through rate-limiter-flexible's RateLimiterMemory.
import { RateLimiterMemory, type RateLimiterRes } from "rate-limiter-flexible";
import type { CounterOp, CounterReading, CounterStore } from "./store.js";

/** Points large enough that the limiter itself never refuses: the engine compares against limits. */
const UNLIMITED = Number.MAX_SAFE_INTEGER;

function toReading(res: RateLimiterRes): CounterReading {
  return { used: res.consumedPoints, resetAt: Date.now() + Math.max(res.msBeforeNext, 0) };
}

function seconds(ms: number): number {
  return Math.max(ms, 1) / 1000;
}

/**
 * Counters kept in process memory. Each counter expires with its window (one timer per counter window,
 * never one per hit), so memory stays bounded by the number of live keys. Not shared between processes:
 * use RedisStore for that.
 * @example
 * createGuardian({ store: new MemoryStore() }) // the default
 */
export class MemoryStore implements CounterStore {
  readonly name = "memory";
  readonly #limiter = new RateLimiterMemory({ points: UNLIMITED, duration: 60, keyPrefix: "" });

  async consume(ops: readonly CounterOp[]): Promise<readonly CounterReading[]> {
    const readings: CounterReading[] = [];
    for (const op of ops) {
      readings.push(toReading(await this.#limiter.consume(op.key, op.points, { customDuration: seconds(op.windowMs) })));
    }
    return readings;
  }

  async refund(ops: readonly CounterOp[]): Promise<void> {
    for (const op of ops) {
      await this.#limiter.reward(op.key, op.points, { customDuration: seconds(op.windowMs) });
    }
  }

  async peek(key: string): Promise<CounterReading | undefined> {
    const res = await this.#limiter.get(key);
    return res === null || res.msBeforeNext <= 0 ? undefined : toReading(res);
  }

  async set(key: string, used: number, windowMs: number): Promise<void> {
    await this.#limiter.set(key, used, seconds(windowMs));
  }

  async claimOnce(key: string, ttlMs: number): Promise<boolean> {
    const res = await this.#limiter.consume(key, 1, { customDuration: seconds(ttlMs) });
    return res.consumedPoints === 1;
  }
}
