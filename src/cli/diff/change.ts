// One semantic difference between two policy files, and how to judge a number or a set that moved.

/** What a change does to callers: more refusals, fewer refusals, or neither clearly. */
export type Effect = "tightened" | "loosened" | "changed";

/** One difference in meaning between the old and the new policy file. */
export interface Change {
  readonly policy: string;
  /** `#0`-style rule position (in the new file; in the old one for a removed rule), absent for policy-level changes. */
  readonly rule?: number;
  readonly effect: Effect;
  /** What changed, in words: `requests_per_minute 100 → 50`. */
  readonly change: string;
}

/**
 * A change to a limit where a bigger number lets more through (rate limits, budgets). Undefined when equal.
 * @example limitEffect(100, 50) // "tightened"
 */
export function limitEffect(before: number | undefined, after: number | undefined): Effect | undefined {
  if (before === after) return undefined;
  if (before === undefined) return "tightened";
  if (after === undefined) return "loosened";
  return after < before ? "tightened" : "loosened";
}

/**
 * Compares two sets: `narrower` when after ⊂ before, `wider` when after ⊃ before. Undefined stands for "everything".
 * @example setMove(new Set(["a", "b"]), new Set(["a"])) // "narrower"
 */
export function setMove(
  before: ReadonlySet<string> | undefined,
  after: ReadonlySet<string> | undefined,
): "same" | "narrower" | "wider" | "different" {
  if (before === undefined && after === undefined) return "same";
  if (before === undefined) return "narrower";
  if (after === undefined) return "wider";
  const afterInBefore = [...after].every((item) => before.has(item));
  const beforeInAfter = [...before].every((item) => after.has(item));
  if (afterInBefore && beforeInAfter) return "same";
  if (afterInBefore) return "narrower";
  return beforeInAfter ? "wider" : "different";
}

/**
 * Shows a value in a change sentence: lists in brackets, nothing as `none`.
 * @example shown(["mon", "tue"]) // "[mon, tue]"
 */
export function shown(value: unknown): string {
  if (value === undefined) return "none";
  if (Array.isArray(value)) return `[${value.join(", ")}]`;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return String(value);
  const json: string | undefined = JSON.stringify(value);
  return json ?? typeof value;
}
