// An exact sliding window in process memory: the instants of the calls admitted in the last window, oldest first.
import type { CounterReading } from "../store.js";

/** Room a new log starts with; it doubles as calls arrive, up to the limit. */
const FIRST_ROOM = 4;

/**
 * The calls a `sliding_window` counter admitted in its last window, as epoch-ms instants in a ring buffer (8 bytes
 * each, at most `limit` of them). A call at `t` counts while `now < t + windowMs`. Redis keeps the same log in a list,
 * with the same arithmetic (src/stores/redis/scripts.ts), so both stores decide alike.
 * @example
 * const log = new SlidingLog(); log.take(1, 1000, 60_000, 10) // { used: 1, resetAt: 61_000, mark: 1000 }
 */
export class SlidingLog {
  readonly kind = "log";
  #times = new Float64Array(FIRST_ROOM);
  #head = 0;
  #size = 0;
  /** When the newest call leaves the window (the store drops the log then). */
  expiresAt = 0;

  /** Drops the calls that have left the window at `now` (a wrap instead of `%` per step: this runs on every call). */
  #trim(now: number, windowMs: number): void {
    const times = this.#times;
    let head = this.#head;
    let size = this.#size;
    while (size > 0 && (times[head] as number) + windowMs <= now) {
      if (++head === times.length) head = 0;
      size--;
    }
    this.#head = head;
    this.#size = size;
  }

  #at(i: number): number {
    const index = this.#head + i;
    const times = this.#times;
    return times[index < times.length ? index : index - times.length] as number;
  }

  #push(instant: number, limit: number): void {
    if (this.#size === this.#times.length) {
      const grown = new Float64Array(Math.min(this.#times.length * 2, Math.max(limit, FIRST_ROOM)));
      for (let i = 0; i < this.#size; i++) grown[i] = this.#at(i);
      this.#times = grown;
      this.#head = 0;
    }
    const index = this.#head + this.#size;
    const times = this.#times;
    times[index < times.length ? index : index - times.length] = instant;
    this.#size++;
  }

  /** Admits `points` calls at `now` when they fit under `limit`, else takes nothing and says when they would fit. */
  take(points: number, now: number, windowMs: number, limit: number): CounterReading {
    this.#trim(now, windowMs);
    const held = this.#size;
    if (held + points > limit) {
      // The call fits once the (held + points - limit)-th oldest call has left.
      const retryAt = points > limit ? Number.POSITIVE_INFINITY : this.#at(held + points - limit - 1) + windowMs;
      return { used: held + points, resetAt: held === 0 ? now : this.#at(held - 1) + windowMs, retryAt };
    }
    for (let i = 0; i < points; i++) this.#push(now, limit);
    // The newest call is this one (or, on a clock that stepped back, one already held).
    if (now + windowMs > this.expiresAt) this.expiresAt = now + windowMs;
    return { used: this.#size, resetAt: this.expiresAt, mark: now };
  }

  /** Gives back `points` calls admitted at `mark`, newest first; calls that have left the window are gone already. */
  giveBack(points: number, mark: number): void {
    let left = points;
    for (let i = this.#size - 1; i >= 0 && left > 0; i--) {
      if (this.#at(i) !== mark) continue;
      for (let j = i; j < this.#size - 1; j++) this.#times[(this.#head + j) % this.#times.length] = this.#at(j + 1);
      this.#size--;
      left--;
    }
  }

  /** The calls in the window at `now`, or undefined when none are. */
  read(now: number, windowMs: number): CounterReading | undefined {
    this.#trim(now, windowMs);
    return this.#size === 0 ? undefined : { used: this.#size, resetAt: this.#at(this.#size - 1) + windowMs };
  }

  /** Replaces the log with `used` calls at `now` (at most `limit`). */
  fill(used: number, now: number, windowMs: number, limit: number): void {
    this.#head = 0;
    this.#size = 0;
    for (let i = 0; i < Math.min(used, limit); i++) this.#push(now, limit);
    this.expiresAt = now + windowMs;
  }

  /** Bytes the log's instants take (for the memory figures in bench/README.md). */
  get bytes(): number {
    return this.#times.byteLength;
  }
}
