// Checks an instant in epoch milliseconds where it enters the engine: a call's `now`, or what the guardian's clock returned.

/**
 * Largest distance from the epoch accepted for an instant, in milliseconds: the Date range (±8.64e15) less some
 * 460 days at each end, room for the lookups that reach past the instant (a month's end, a time window's next
 * opening, the zone offsets around them).
 */
export const MAX_INSTANT_MS = 8.6e15;

function describe(value: unknown): string {
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  if (value === null) return "null";
  if (typeof value === "boolean" || typeof value === "bigint") return `${typeof value} ${value}`;
  if (typeof value === "symbol") return `symbol ${value.toString()}`;
  return value === undefined ? "undefined" : `an ${typeof value}`;
}

/**
 * The instant, when it is a number of epoch milliseconds within ±MAX_INSTANT_MS; else throws a TypeError (not a
 * number) or RangeError (NaN, ±Infinity, out of range) naming `source` and the value, and saying what to give.
 * @example checkedInstant(ctx.now, "context.now")
 */
export function checkedInstant(value: unknown, source: "context.now" | "clock"): number {
  if (typeof value === "number" && Math.abs(value) <= MAX_INSTANT_MS) return value;
  const fromClock = source === "clock";
  const name = fromClock ? "clock (createGuardian's clock option)" : source;
  if (typeof value !== "number") {
    throw new TypeError(
      `${name} must ${fromClock ? "return" : "be"} a number of epoch milliseconds, got ${describe(value)}${fromClock ? "" : "; leave it out for the guardian's clock"}`,
    );
  }
  const fix = fromClock ? "the clock must return epoch milliseconds" : "give the call's instant as epoch milliseconds";
  throw new RangeError(
    `${name} ${fromClock ? "returned" : "is"} ${value}: ${fix} within ±8.6e15 (as Date.now() does)${fromClock ? "" : ", or leave it out for the guardian's clock"}`,
  );
}
