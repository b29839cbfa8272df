// A token bucket as GCRA: the instant the bucket is full again, plus what an exact give-back needs. O(1) per key.
import type { CounterReading } from "../store.js";

/** Tolerance for float rounding when turning a time debt back into whole tokens. */
const EPSILON = 1e-9;
/** Takes numbered per millisecond of a bucket's birth: a bucket made anew numbers its takes past every earlier one. */
const TAKES_PER_MS = 1000;

/**
 * One bucket. `tat` is the instant it is full again (GCRA's theoretical arrival time). Every admitted take gets the
 * next number `seq`; `near` is the number of the latest take that found the bucket nearly full (less than one
 * token missing). Giving a take back by subtracting its tokens from `tat` is exact as long as no later take found the
 * bucket nearly full: only such a take could have had the token anyway, from the refill the bucket would have lost.
 */
export interface BucketState {
  readonly tat: number;
  readonly seq: number;
  readonly near: number;
}

/**
 * The bucket arithmetic, written the same way in the Redis script (src/stores/redis/scripts.ts) so both stores decide
 * alike. The bucket refills `limit` tokens per `windowMs` (one every `windowMs / limit` ms) and holds `burst`; over any
 * span of t ms at most `burst + limit × t / windowMs` calls are admitted, and a call is refused only when admitting it
 * would break that bound. A missing bucket is full. The reading's `mark` is the take's number.
 * @example bucketTake(undefined, 1, 0, 60_000, 60, 10).reading // { used: 1, resetAt: 1000, mark: 0 }
 */
export function bucketTake(state: BucketState | undefined, points: number, now: number, windowMs: number, limit: number, burst: number): { state: BucketState | undefined; reading: CounterReading } {
  const interval = windowMs / limit;
  const base = state === undefined || state.tat < now ? now : state.tat;
  const next = base + points * interval;
  if (next - now > burst * interval) {
    const retryAt = points > burst ? Number.POSITIVE_INFINITY : next - burst * interval;
    return { state, reading: { used: tokensOut(base, now, interval) + points, resetAt: base, retryAt } };
  }
  const seq = state === undefined ? Math.floor(now) * TAKES_PER_MS : state.seq + 1;
  const near = state === undefined || base - now < interval ? seq : state.near;
  return { state: { tat: next, seq, near }, reading: { used: Math.min(tokensOut(next, now, interval), burst), resetAt: next, mark: seq } };
}

/** Whole tokens missing from the bucket at `now` (a token partly refilled counts as missing). */
export function tokensOut(tat: number, now: number, interval: number): number {
  return tat <= now ? 0 : Math.ceil((tat - now) / interval - EPSILON);
}

/**
 * The bucket after giving back `points` tokens of the take numbered `mark`: exact when no take after it found the
 * bucket nearly full (see BucketState), which holds whenever calls crowd in, concurrently or not. Otherwise the bucket
 * is left as it is: at most one token short, never one over the bound.
 */
export function bucketGiveBack(state: BucketState, points: number, mark: number, windowMs: number, limit: number): BucketState {
  if (state.near > mark || mark > state.seq) return state;
  return { ...state, tat: state.tat - points * (windowMs / limit) };
}
