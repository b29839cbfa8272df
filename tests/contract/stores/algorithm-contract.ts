// The algorithm contract: fixed windows, exact sliding windows and token buckets decide alike on every store.
import { expect, it } from "vitest";
import { createGuardian, type Decision, type Guardian } from "../../../src/index.js";
import type { StoreFactory } from "./contract.js";

type Algorithm = "fixed_window" | "sliding_window" | "token_bucket";
const ALGORITHMS: readonly Algorithm[] = ["fixed_window", "sliding_window", "token_bucket"];

/** 2026-12-03 16:30:00 UTC: the start of every simulated timeline here. */
const T0 = Date.UTC(2026, 11, 3, 16, 30, 0);

const perMinute = (algorithm: Algorithm, limit: number, extra = ""): string => `
policies:
  - id: per_client
    rules:
      - requests_per_minute: ${limit}
        algorithm: ${algorithm}${extra}
`;

/** A guardian on a fresh store whose clock the test steps: `at(ms)` sets the instant, T0 + ms. */
function stepped(makeStore: StoreFactory, policyText: string): { guardian: Guardian; at: (ms: number) => void } {
  let now = T0;
  const clock = (): number => now;
  const guardian = createGuardian({ policyText, store: makeStore(clock), clock, env: {} });
  return { guardian, at: (ms) => void (now = T0 + ms) };
}

async function calls(guardian: Guardian, count: number, client = "203.0.113.9"): Promise<Decision[]> {
  const decisions: Decision[] = [];
  for (let i = 0; i < count; i++) decisions.push(await guardian.evaluate({ client }));
  return decisions;
}

function admitted(decisions: readonly Decision[]): number {
  return decisions.filter((d) => d.isAllowed()).length;
}

/**
 * Defines the algorithm tests inside the caller's `describe`, each on a fresh store from `makeStore`, stepping the
 * store's clock. `fixedFollowsClock`: the store's fixed windows follow that clock too (in memory; Redis expires them).
 */
export function algorithmContract(makeStore: StoreFactory, fixedFollowsClock: boolean): void {
  it("the boundary burst: fixed admits 19 in the second around 60 s, sliding 10 then one more, a bucket 10 then 5", async () => {
    const fixed = stepped(makeStore, perMinute("fixed_window", 10));
    const sliding = stepped(makeStore, perMinute("sliding_window", 10));
    for (const { guardian, at } of fixedFollowsClock ? [fixed, sliding] : [sliding]) {
      at(0);
      await calls(guardian, 1);
      at(59_500);
      expect(admitted(await calls(guardian, 9))).toBe(9);
    }
    if (fixedFollowsClock) {
      fixed.at(60_500);
      expect(admitted(await calls(fixed.guardian, 10))).toBe(10);
    }
    sliding.at(60_500);
    const late = await calls(sliding.guardian, 10);
    expect(late.map((d) => d.outcome)).toEqual(["allow", ...Array<string>(9).fill("limit")]);
    expect(late[1]?.reason).toMatch(/10 calls in the last 60 s; the oldest leaves at 16:31:59\.5 UTC/);
    expect(late[1]?.retryAfter).toBe(59);

    const bucket = stepped(makeStore, perMinute("token_bucket", 60, "\n        burst: 10"));
    bucket.at(0);
    expect(admitted(await calls(bucket.guardian, 12))).toBe(10);
    bucket.at(5_000);
    expect(admitted(await calls(bucket.guardian, 8))).toBe(5);
  });

  for (const algorithm of ALGORITHMS) {
    const capacity = algorithm === "token_bucket" ? 4 : 3;
    const text = perMinute(algorithm, 3, algorithm === "token_bucket" ? "\n        burst: 4" : "");

    it(`${algorithm}: admits exactly ${capacity} of 25 calls arriving together`, async () => {
      const { guardian } = stepped(makeStore, text);
      const decisions = await Promise.all(Array.from({ length: 25 }, () => guardian.evaluate({ client: "crowd" })));
      expect(admitted(decisions)).toBe(capacity);
      const refused = decisions.find((d) => !d.isAllowed());
      expect(refused).toMatchObject({ outcome: "limit", kind: "rate" });
    });

    const onOwnClock = algorithm === "fixed_window" && !fixedFollowsClock;
    if (onOwnClock) fixedWindowOnOwnClock(makeStore);
    else
      it(`${algorithm}: Retry-After is never early and at most one second late`, async () => {
        const { guardian, at } = stepped(makeStore, text);
        at(0);
        await calls(guardian, 1);
        at(12_345);
        expect(admitted(await calls(guardian, capacity))).toBe(capacity - 1);
        const [refused] = await calls(guardian, 1);
        const wait = refused?.retryAfter ?? 0;
        expect(wait).toBe(algorithm === "token_bucket" ? 8 : 48);
        at(12_345 + (wait - 1) * 1000);
        expect((await calls(guardian, 1))[0]?.outcome).toBe("limit");
        at(12_345 + wait * 1000);
        expect((await calls(guardian, 1))[0]?.outcome).toBe("allow");
      });

    it(`${algorithm}: a call a later policy refuses gives back exactly what it took`, async () => {
      const { guardian } = stepped(
        makeStore,
        `${perMinute(algorithm, 3, algorithm === "token_bucket" ? "\n        burst: 4" : "")}
  - id: everyone
    rules:
      - requests_per_minute: 2
        key: global
`,
      );
      expect(admitted(await calls(guardian, 2, "x"))).toBe(2);
      const refused = await Promise.all(Array.from({ length: 6 }, () => guardian.evaluate({ client: "y" })));
      expect(refused.map((d) => d.outcome)).toEqual(Array<string>(6).fill("limit"));
      const own = await Promise.all(Array.from({ length: capacity + 2 }, () => guardian.check("per_client", { client: "y" })));
      expect(admitted(own)).toBe(capacity);
    });

    if (!onOwnClock)
      it(`${algorithm}: every window of a rule holds`, async () => {
        const { guardian, at } = stepped(makeStore, twoWindows(algorithm));
        at(0);
        expect(admitted(await calls(guardian, 4))).toBe(2);
        at(1_000);
        const next = await calls(guardian, 3);
        expect(admitted(next)).toBe(1);
        expect(next.at(-1)?.reason).toMatch(/minute|second/);
      });
  }
}

const twoWindows = (algorithm: Algorithm): string => `
policies:
  - id: two_windows
    rules:
      - requests_per_second: 2
        requests_per_minute: 3
        algorithm: ${algorithm}
`;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The two clock-stepping fixed-window tests, on a store whose fixed windows follow its own clock (Redis expires
 * them): per-second windows and real waits, about two seconds in all.
 */
function fixedWindowOnOwnClock(makeStore: StoreFactory): void {
  const onOwnClock = (policyText: string): Guardian => createGuardian({ policyText, store: makeStore(), env: {} });

  it("fixed_window: Retry-After is never early and at most one second late (the store's own clock)", async () => {
    const guardian = onOwnClock(twoWindows("fixed_window").replace("        requests_per_minute: 3\n", ""));
    expect(admitted(await calls(guardian, 2))).toBe(2);
    const [refused] = await calls(guardian, 1);
    expect(refused?.retryAfter).toBe(1);
    await sleep(1_000);
    expect((await calls(guardian, 1))[0]?.outcome).toBe("allow");
  });

  it("fixed_window: every window of a rule holds (the store's own clock)", async () => {
    const guardian = onOwnClock(twoWindows("fixed_window"));
    expect(admitted(await calls(guardian, 4))).toBe(2);
    await sleep(1_000);
    const next = await calls(guardian, 3);
    expect(admitted(next)).toBe(1);
    expect(next.at(-1)?.reason).toMatch(/minute/);
  });
}
