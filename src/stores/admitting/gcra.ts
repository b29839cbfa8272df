// A token bucket as GCRA in process memory: the instant it is full again, plus what an exact give-back needs. O(1).
import type { CounterReading } from "../store.js";

/** Tolerance for float rounding when turning a time debt back into whole tokens. */
const EPSILON = 1e-9;
/** Takes numbered per millisecond of a bucket's birth: a bucket made anew numbers its takes past every earlier one. */
const TAKES_PER_MS = 1000;

/**
 * Whole tokens missing from a bucket full again at `tat`, at `now` (a token partly refilled counts as missing).
 * @example tokensOut(3_000, 0, 1_000) // 3
 */
export function tokensOut(tat: number, now: number, interval: number): number {
  return tat <= now ? 0 : Math.ceil((tat - now) / interval - EPSILON);
}

/**
 * One token bucket, with the arithmetic the Redis script (src/stores/redis/scripts.ts) repeats line for line, so both
 * stores decide alike. It refills `limit` tokens per `windowMs` (one every `windowMs / limit` ms) and holds `burst`:
 * over any span of t ms at most `burst + limit × t / windowMs` calls are admitted, and a call is refused only when
 * admitting it would break that bound. `expiresAt` (GCRA's `tat`) is the instant it is full again (the theoretical arrival time); a new
 * bucket is full. Every admitted take gets the next number `seq` (its mark); `near` is the number of the latest take
 * that found the bucket nearly full (less than one token missing). Giving a take back by subtracting its tokens from
 * `expiresAt` is exact as long as no later take found the bucket nearly full: only such a take could have had the token
 * anyway, from a refill the bucket would otherwise have lost.
 * @example new TokenBucket().take(1, 0, 60_000, 60, 10) // { used: 1, resetAt: 1000, mark: 0 }
 */
export class TokenBucket {
  readonly kind = "bucket";
  /** `tat`: when the bucket is full again, and so can be dropped (named as every memory entry names its end). */
  expiresAt = 0;
  seq = 0;
  near = 0;
  #fresh = true;

  take(points: number, now: number, windowMs: number, limit: number, burst: number): CounterReading {
    const interval = windowMs / limit;
    const base = this.#fresh || this.expiresAt < now ? now : this.expiresAt;
    const next = base + points * interval;
    if (next - now > burst * interval) {
      const retryAt = points > burst ? Number.POSITIVE_INFINITY : next - burst * interval;
      return { used: tokensOut(base, now, interval) + points, resetAt: base, retryAt };
    }
    this.seq = this.#fresh ? Math.floor(now) * TAKES_PER_MS : this.seq + 1;
    if (this.#fresh || base - now < interval) this.near = this.seq;
    this.#fresh = false;
    this.expiresAt = next;
    return { used: Math.min(tokensOut(next, now, interval), burst), resetAt: next, mark: this.seq };
  }

  /** Gives back `points` tokens of the take numbered `mark` when that is exact (see the class); otherwise does nothing. */
  giveBack(points: number, mark: number, windowMs: number, limit: number): void {
    if (this.#fresh || this.near > mark || mark > this.seq) return;
    this.expiresAt -= points * (windowMs / limit);
  }
}
