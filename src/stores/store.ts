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
    return new RangeError(`cannot count ${String(points)} points on counter ${op.key}: points must be a whole number from 0 to ${MAX_POINTS}`);
  }
  return undefined;
}

/** One counter to add to. `points` are whole numbers from 0 to MAX_POINTS (budgets are kept in millionths of their unit). */
export interface CounterOp {
  /** Full counter key, already namespaced by the engine. */
  readonly key: string;
  readonly points: number;
  /** How long the counter lives from its first point, in milliseconds. */
  readonly windowMs: number;
}

/** A counter's value after an operation. */
export interface CounterReading {
  readonly used: number;
  /** When the counter expires, in epoch milliseconds. */
  readonly resetAt: number;
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
  /** Adds each op's points to its counter and returns the readings, in the same order. */
  consume(ops: readonly CounterOp[]): Promise<readonly CounterReading[]>;
  /** Takes back points added by `consume` (a refused call consumes nothing), or settles a reservation. */
  refund(ops: readonly CounterOp[]): Promise<void>;
  /**
   * Optional, for in-process stores: `consume` answered synchronously. When a store has it, the engine decides
   * without waiting on a promise per call. It must count in the same counters as `consume`. `now` is the instant
   * (epoch ms, `Date.now()`) the engine counts at, so the store need not read the clock again.
   */
  readonly consumeSync?: ((ops: readonly CounterOp[], now?: number) => readonly CounterReading[]) | undefined;
  /** Optional, with `consumeSync`: `refund` done synchronously. */
  readonly refundSync?: ((ops: readonly CounterOp[]) => void) | undefined;
  /** Reads a counter without changing it; undefined when it does not exist or has expired. */
  peek(key: string): Promise<CounterReading | undefined>;
  /** Sets a counter outright (test fixtures, `hexarch test` starting state). */
  set(key: string, used: number, windowMs: number): Promise<void>;
  /** True the first time `key` is claimed within `ttlMs`, false afterwards: single-use tokens. */
  claimOnce(key: string, ttlMs: number): Promise<boolean>;
  /** Optional: deletes one counter, so it starts again from zero (`guardian.reset(policyId, key)`). */
  resetKey?(key: string): Promise<void>;
  /** Optional: deletes every counter whose key starts with `prefix` (`guardian.reset(policyId)`). */
  resetPrefix?(prefix: string): Promise<void>;
  /** Optional: the keys of every live counter whose key starts with `prefix` (`hexarch budgets`). */
  keysWithPrefix?(prefix: string): Promise<string[]>;
  /** Releases connections or timers the store owns. */
  close?(): Promise<void>;
}
