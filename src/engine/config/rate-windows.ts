// The rate-limit fields of a rule and the window each counts over: the one list the schema, compiler, checks, summaries and diff use.

/**
 * Every rate-limit field of a rule with its window: the unit said in summaries, the label in counter names and
 * RateLimit headers, and the length in milliseconds. Adding a window here adds it to the schema and everything else.
 * @example RATE_WINDOWS.find((w) => w.field === "requests_per_minute")?.ms // 60_000
 */
export const RATE_WINDOWS = [
  { field: "requests_per_second", unit: "second", label: "1s", ms: 1_000 },
  { field: "requests_per_minute", unit: "minute", label: "1m", ms: 60_000 },
  { field: "requests_per_hour", unit: "hour", label: "1h", ms: 3_600_000 },
  { field: "requests_per_day", unit: "day", label: "1d", ms: 86_400_000 },
] as const;

/** One of `requests_per_second`, `requests_per_minute`, `requests_per_hour`, `requests_per_day`. */
export type RateLimitField = (typeof RATE_WINDOWS)[number]["field"];

/** The rate fields, in window order; in code policies their limit may also be a function of the call. */
export const RATE_LIMIT_FIELDS: readonly RateLimitField[] = RATE_WINDOWS.map((window) => window.field);

/** The budget fields of a rule. */
export const BUDGET_FIELDS = ["daily_budget", "monthly_budget"] as const;

/** Every field that makes a rule count: its rate limits and budgets. */
export const COUNTER_FIELDS: readonly (RateLimitField | (typeof BUDGET_FIELDS)[number])[] = [...RATE_LIMIT_FIELDS, ...BUDGET_FIELDS];
