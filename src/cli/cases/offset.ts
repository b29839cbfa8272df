// `after: 59.5s` in a `hexarch test` request: a time after the case's `at`, written as a number and a unit.

/** A duration: a number and one of ms, s, m, h, d, e.g. `59.5s`, `1500ms`, `2m`. */
export const OFFSET_PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Milliseconds of a duration matching OFFSET_PATTERN (the schema checks the form first).
 * @example offsetMs("59.5s") // 59500
 */
export function offsetMs(text: string): number {
  const match = OFFSET_PATTERN.exec(text.trim());
  if (match === null) throw new RangeError(`"${text}" is not a duration such as 59.5s, 1500ms or 2m`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}
