// Properties of the admitting algorithms on any store: sliding windows and buckets keep their bound and refuse nothing it allows.
import fc from "fast-check";
import { expect, it } from "vitest";
import { createGuardian, type Guardian } from "../../../src/index.js";
import type { StoreFactory } from "./contract.js";
import "../../support/property-seed.js";

const WINDOW_MS = 1_000;
/** Limits whose refill interval (1000 / limit ms) is a whole number, so the bound is checked without rounding. */
const EVEN_LIMITS = [1, 2, 4, 5, 8, 10] as const;

/** Groups of calls arriving at the same instant, each group a gap (ms) after the last. */
const arrivals = fc.array(fc.record({ gapMs: fc.integer({ min: 0, max: 1_500 }), size: fc.integer({ min: 1, max: 4 }) }), {
  minLength: 1,
  maxLength: 25,
});

interface Call {
  readonly at: number;
  readonly admitted: boolean;
}

/** Sends every group at once on a stepped clock and notes each call's instant and whether it was admitted. */
async function run(makeStore: StoreFactory, policyText: string, groups: readonly { gapMs: number; size: number }[]): Promise<Call[]> {
  let now = Date.UTC(2026, 11, 3, 12);
  const clock = (): number => now;
  const guardian: Guardian = createGuardian({ policyText, store: makeStore(clock), clock, env: {} });
  const calls: Call[] = [];
  try {
    for (const { gapMs, size } of groups) {
      now += gapMs;
      const at = now;
      const decisions = await Promise.all(Array.from({ length: size }, () => guardian.evaluate({ client: "c" })));
      for (const d of decisions) calls.push({ at, admitted: d.isAllowed() });
    }
  } finally {
    await guardian.store.close?.();
  }
  return calls;
}

const policy = (algorithm: string, limit: number, burst?: number): string => `
policies:
  - id: p
    rules:
      - requests_per_second: ${limit}
        algorithm: ${algorithm}${burst === undefined ? "" : `\n        burst: ${burst}`}
`;

/** Admitted calls with an instant in [from, to]. */
function admittedIn(calls: readonly Call[], from: number, to: number): number {
  return calls.filter((c) => c.admitted && c.at >= from && c.at <= to).length;
}

/** Defines the property tests inside the caller's `describe`; `runs` bounds the cases (a remote store is slower). */
export function algorithmProperties(makeStore: StoreFactory, runs: number): void {
  it("sliding_window never admits more than the limit in any span of one window, and refuses only when the window is full", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), arrivals, async (limit, groups) => {
        const calls = await run(makeStore, policy("sliding_window", limit), groups);
        for (const call of calls) {
          // The span of one window ending at this call: (at - W, at].
          const inWindow = admittedIn(calls, call.at - WINDOW_MS + 1, call.at);
          if (call.admitted) expect(inWindow).toBeLessThanOrEqual(limit);
          else expect(inWindow).toBe(limit);
        }
      }),
      { numRuns: runs },
    );
  });

  it("token_bucket never admits more than burst + rate × t over any span t, and refuses only a call that would break it", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...EVEN_LIMITS), fc.integer({ min: 1, max: 8 }), arrivals, async (limit, burst, groups) => {
        const interval = WINDOW_MS / limit;
        const calls = await run(makeStore, policy("token_bucket", limit, burst), groups);
        const starts = calls.filter((c) => c.admitted).map((c) => c.at);
        for (const call of calls) {
          // In whole milliseconds × limit: count × interval ≤ burst × interval + t, i.e. count ≤ burst + t / interval.
          const breaks = (from: number, extra: number): boolean =>
            (admittedIn(calls, from, call.at) + extra) * interval > burst * interval + (call.at - from);
          if (call.admitted) expect(starts.filter((s) => s <= call.at).some((s) => breaks(s, 0))).toBe(false);
          else expect([...starts.filter((s) => s <= call.at), call.at].some((s) => breaks(s, 1))).toBe(true);
        }
      }),
      { numRuns: runs },
    );
  });

  it("admits every call spaced at the rate, on both algorithms", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...EVEN_LIMITS), fc.integer({ min: 1, max: 30 }), async (limit, count) => {
        const spaced = Array.from({ length: count }, (_, i) => ({ gapMs: i === 0 ? 0 : WINDOW_MS / limit, size: 1 }));
        for (const algorithm of ["sliding_window", "token_bucket"]) {
          const calls = await run(makeStore, policy(algorithm, limit, algorithm === "token_bucket" ? 1 : undefined), spaced);
          expect(calls.every((c) => c.admitted)).toBe(true);
        }
      }),
      { numRuns: Math.max(5, Math.floor(runs / 4)) },
    );
  });
}
