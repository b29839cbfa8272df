// Amounts a budget counts: millionths of its unit, the bounds a store counts exactly, and the one check of a cost.
import { MAX_POINTS } from "../stores/store.js";

const MICROS = 1_000_000;

/** The smallest amount a budget counts: one millionth of its unit. Budgets and non-zero costs below it are refused. */
export const MIN_AMOUNT = 1 / MICROS;

/**
 * The largest amount a budget or a cost may be: one billion of the budget's unit (10^15 millionths, `MAX_POINTS`).
 * Every store counts it exactly, with room for eight more such amounts in flight before a counter leaves the range
 * a JavaScript number, a Lua number in Redis and rate-limiter-flexible's integer parsing hold exactly.
 */
export const MAX_AMOUNT = MAX_POINTS / MICROS;

/** Converts an amount in a budget's unit to the whole millionths that stores count in. */
export function toMicros(amount: number): number {
  return Math.round(amount * MICROS);
}

/** Converts millionths back to the budget's unit. */
export function fromMicros(micros: number): number {
  return micros / MICROS;
}

/**
 * Why `value` cannot be a cost estimate, or undefined when it can: a number that is not negative, NaN or infinite.
 * A finite cost above MAX_AMOUNT is readable; it can never fit a budget, so the budget refuses it as `limit`.
 * @example costProblem(-1) // "cost -1 is not an amount: a cost must be a finite number of at least 0"
 */
export function costProblem(value: unknown): string | undefined {
  if (typeof value === "number" && value >= 0 && value !== Number.POSITIVE_INFINITY) return undefined;
  return `cost ${describe(value)} is not an amount: a cost must be a finite number of at least 0`;
}

/**
 * The error for an actual cost given to `settle()` that no budget can count, or undefined when it can be settled:
 * a TypeError for a non-number, a RangeError for a number outside 0…MAX_AMOUNT.
 * @example
 * settleError(1e303)?.message
 * // "cannot settle a cost of 1e+303: an actual cost must be a finite number from 0 to 1000000000; nothing was changed"
 */
export function settleError(value: unknown): TypeError | RangeError | undefined {
  if (typeof value === "number" && value >= 0 && value <= MAX_AMOUNT) return undefined;
  const message = `cannot settle a cost of ${describe(value)}: an actual cost must be a finite number from 0 to ${MAX_AMOUNT}; nothing was changed`;
  return typeof value === "number" ? new RangeError(message) : new TypeError(message);
}

function describe(value: unknown): string {
  return typeof value === "number" ? String(value) : `${JSON.stringify(value) ?? String(value)} (${typeof value})`;
}
