// The counter contract every store implements: batched consume and refund, readings, and single-use claims.

/**
 * The most points one op may carry: 10^15 (a budget of one billion, in millionths). Stores refuse more, so a value
 * no counter holds exactly never reaches one.
 */
export const MAX_POINTS = 1e15;

/**
 * The most a counter holds: the largest whole number a JavaScript number (and a Lua number in Redis) holds exactly.
 * A consume that would take a counter past it leaves the counter at it (the budget is long spent by then).
 */
export const COUNTER_CEILING = Number.MAX_SAFE_INTEGER;

/**
 * The error for the first op whose points are not a whole number from 0 to MAX_POINTS, or undefined when every op
 * can be counted. Stores check each batch with it before touching a counter.
 * @example uncountable([{ key: "k", points: 1e21, windowMs: 1000 }]) // RangeError
 */
export function uncountable(ops: readonly CounterOp[]): RangeError | undefined {
  for (const op of ops) {
    const { points } = op;
    if (points >= 0 && points <= MAX_POINTS && Number.isInteger(points)) continue;
    return new RangeError(
      `cannot count ${String(points)} points on counter ${op.key}: points must be a whole number from 0 to ${MAX_POINTS}`,
    );
  }
  return undefined;
}

/**
 * How a rate counter counts. `fixed_window` adds points to a counter that starts with its first point and lives one
 * window; `sliding_window` keeps the instant of every admitted call and admits a call only while fewer than `limit`
 * fall in the last window; `token_bucket` (GCRA) refills `limit` tokens per window into a bucket of `burst`.
 */
export type RateAlgorithm = "fixed_window" | "sliding_window" | "token_bucket";

/** The algorithms, in the order documentation and the CLI list them. */
export const RATE_ALGORITHMS: readonly RateAlgorithm[] = ["fixed_window", "sliding_window", "token_bucket"];

/**
 * The most calls one `sliding_window` counter may admit per window: it keeps one instant (8 bytes in memory) per call
 * admitted in the last window, so this bounds a key's memory to 80 kB. Larger limits are refused at load time.
 */
export const MAX_SLIDING_LIMIT = 10_000;

/** A counter that admits calls itself (`sliding_window`, `token_bucket`): past its limit it refuses and takes nothing. */
export interface AdmittingRate {
  readonly algorithm: "sliding_window" | "token_bucket";
  /** Calls per window. */
  readonly limit: number;
  /** `token_bucket`: the bucket's size (default: the limit). Ignored by `sliding_window`. */
  readonly burst: number;
}

/** One counter to add to. `points` are whole numbers from 0 to MAX_POINTS (budgets are kept in millionths of their unit). */
export interface CounterOp {
  /** Full counter key, already namespaced by the engine. */
  readonly key: string;
  readonly points: number;
  /** How long the counter lives from its first point, in milliseconds (the window of a sliding window or bucket). */
  readonly windowMs: number;
  /** Absent for a fixed window (and a budget): the counter only adds, and the engine compares with the limit. */
  readonly rate?: AdmittingRate | undefined;
  /** In a refund of an admitting counter: the `mark` its consume returned, so exactly that call is given back. */
  readonly mark?: number | undefined;
}

/** A counter's value after an operation. */
export interface CounterReading {
  /**
   * Points in the counter after the op. An admitting counter that refused the op took nothing and reports what it
   * holds plus the op's points, so `used > limit` means refused on every algorithm.
   */
  readonly used: number;
  /** When the counter expires, in epoch milliseconds; for an admitting counter, when all it holds has left or refilled. */
  readonly resetAt: number;
  /** An admitting counter that refused the op: the first instant (epoch ms) it would admit the same op. */
  readonly retryAt?: number | undefined;
  /** An admitting counter that admitted the op: what a refund must quote to give back exactly this op. */
  readonly mark?: number | undefined;
}

/** A counter's shape, for reading or presetting an admitting counter, which the key alone does not say. */
export interface CounterShape {
  readonly windowMs: number;
  readonly rate?: AdmittingRate | undefined;
}

/**
 * Where counters live. `consume` adds every op in one go (one round trip for a remote store) and must
 * settle, resolved or rejected, within the store's own time bound: the engine never waits longer.
 * @example
 * const store: CounterStore = new MemoryStore();
 */
export interface CounterStore {
  /** Short name for logs and explanations: `memory`, `redis`. */
  readonly name: string;
  /**
   * Adds each op's points to its counter and returns the readings, in the same order. `now` is the engine's instant
   * (its clock, epoch ms): in-process stores count at it; a store that keeps time itself (Redis TIME) only places its
   * answers on it.
   */
  consume(ops: readonly CounterOp[], now?: number): Promise<readonly CounterReading[]>;
  /** Takes back points added by `consume` (a refused call consumes nothing), or settles a reservation. */
  refund(ops: readonly CounterOp[], now?: number): Promise<void>;
  /**
   * Optional, for in-process stores: `consume` answered synchronously. When a store has it, the engine decides
   * without waiting on a promise per call. It must count in the same counters as `consume`. `now` is the instant
   * (epoch ms, `Date.now()`) the engine counts at, so the store need not read the clock again.
   */
  readonly consumeSync?: ((ops: readonly CounterOp[], now?: number) => readonly CounterReading[]) | undefined;
  /** Optional, with `consumeSync`: `refund` done synchronously. */
  readonly refundSync?: ((ops: readonly CounterOp[], now?: number) => void) | undefined;
  /** Reads a counter without changing it; undefined when it does not exist or has expired. An admitting counter needs its shape. */
  peek(key: string, shape?: CounterShape, now?: number): Promise<CounterReading | undefined>;
  /**
   * Sets a counter outright (test fixtures, `hexarch test` starting state): `used` points in a fixed window, `used`
   * calls at `now` in a sliding window, `used` tokens taken from a full bucket.
   */
  set(key: string, used: number, windowMs: number, rate?: AdmittingRate, now?: number): Promise<void>;
  /** True the first time `key` is claimed within `ttlMs`, false afterwards: single-use tokens. */
  claimOnce(key: string, ttlMs: number): Promise<boolean>;
  /**
   * Optional: keeps `text` under `key` for `ttlMs` (wall time), replacing what was there. The decision server keeps a
   * reservation's details this way, so that any instance sharing the store can settle it by a short id.
   */
  putText?(key: string, text: string, ttlMs: number): Promise<void>;
  /** Optional, with `putText`: the text kept under `key`, or undefined when there is none or its time is over. */
  getText?(key: string): Promise<string | undefined>;
  /**
   * Optional, with `putText`: replaces the text under `key` with `next` (kept `ttlMs`, wall time) only while it is
   * exactly `expected` (`undefined`: only while there is none), in one atomic step; true when it replaced. Of many
   * swaps from the same text at once, on any instance sharing the store, exactly one succeeds: approvals are taken
   * once this way.
   */
  swapText?(key: string, expected: string | undefined, next: string, ttlMs: number): Promise<boolean>;
  /** Optional: deletes one counter, so it starts again from zero (`guardian.reset(policyId, key)`). */
  resetKey?(key: string): Promise<void>;
  /** Optional: deletes every counter whose key starts with `prefix` (`guardian.reset(policyId)`). */
  resetPrefix?(prefix: string): Promise<void>;
  /** Optional: the keys of every live counter whose key starts with `prefix` (`hexarch budgets`). */
  keysWithPrefix?(prefix: string): Promise<string[]>;
  /** Releases connections or timers the store owns. */
  close?(): Promise<void>;
}
