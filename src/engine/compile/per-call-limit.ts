// A rate limit computed per call (code policies): each distinct value is checked once and kept as its own counter.
import type { GuardContext } from "../context.js";
import { PolicyConfigError } from "../../errors/config-error.js";
import type { LimitFunction } from "../config/code-policies.js";
import { MAX_SLIDING_LIMIT } from "../../stores/store.js";
import { rateShape } from "./rate-shape.js";
import type { RateCounter } from "./rule.js";

/** Most distinct limits remembered per counter; past that, a new value is checked on every call that returns it. */
const REMEMBERED_LIMITS = 1_024;

/** Where the function was given, for the error a bad value throws. */
export interface LimitPlace {
  readonly source: string;
  readonly policyId: string;
  readonly path: string;
}

function badLimit(
  value: unknown,
  place: LimitPlace,
  fix = "return a whole number of requests, at least 1, for every call",
): PolicyConfigError {
  const shown = typeof value === "number" ? String(value) : typeof value === "string" ? JSON.stringify(value) : typeof value;
  return new PolicyConfigError(
    [{ file: place.source, policyId: place.policyId, path: place.path, message: `the limit function returned ${shown}, not a limit`, fix }],
    "a per-call limit is not valid",
  );
}

/**
 * Resolves a per-call rate counter: calls `limitOf`, checks the value the first time it is seen (a whole number of at
 * least 1) and returns the counter for that limit, made once per value. The counter's key does not depend on the
 * limit. A bad value throws PolicyConfigError naming where the function was given, every time it comes back.
 * @example
 * const counterFor = perCallCounter((ctx) => (ctx.user === "vip" ? 1000 : 100), base, () => undefined, place);
 * counterFor(ctx).limit
 * // 100
 */
export function perCallCounter(
  limitOf: LimitFunction,
  base: Omit<RateCounter, "limit" | "burst" | "rate" | "warnPoints" | "perCall">,
  burst: number | undefined,
  warnPointsOf: (limit: number) => number | undefined,
  place: LimitPlace,
): (ctx: GuardContext) => RateCounter {
  const byValue = new Map<unknown, RateCounter | PolicyConfigError>();
  const resolve = (value: unknown): RateCounter | PolicyConfigError => {
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) return badLimit(value, place);
    if (base.algorithm === "sliding_window" && value > MAX_SLIDING_LIMIT)
      return badLimit(
        value,
        place,
        `a sliding window holds at most ${MAX_SLIDING_LIMIT} calls per window; return less, or use algorithm: token_bucket`,
      );
    return { ...base, limit: value, ...rateShape(base.algorithm, value, burst), warnPoints: warnPointsOf(value), perCall: undefined };
  };
  return (ctx) => {
    const value: unknown = limitOf(ctx);
    let counter = byValue.get(value);
    if (counter === undefined) {
      counter = resolve(value);
      if (byValue.size < REMEMBERED_LIMITS) byValue.set(value, counter);
    }
    if (counter instanceof PolicyConfigError) throw counter;
    return counter;
  };
}
