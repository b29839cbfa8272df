// Builds guardians for engine tests: inline YAML or a seed fixture, a settable clock, and no ambient environment.
import { join } from "node:path";
import { afterEach, beforeEach, vi } from "vitest";
import {
  createGuardian,
  MemoryStore,
  type CounterOp,
  type CounterReading,
  type CounterStore,
  type Guardian,
  type GuardianOptions,
} from "../../../src/index.js";

/** Folder of the seed policy files. */
export const SEED_DIR = join(import.meta.dirname, "../../fixtures/seed");

/** A clock the test moves by hand; `set` takes an ISO instant. */
export interface TestClock {
  now: number;
  set(iso: string): void;
  readonly read: () => number;
}

/** A clock frozen at `iso` until the test moves it. */
export function testClock(iso: string): TestClock {
  const clock: TestClock = {
    now: Date.parse(iso),
    set(next) {
      clock.now = Date.parse(next);
    },
    read: () => clock.now,
  };
  return clock;
}

/** A guardian over inline YAML; `env` defaults to empty so HEXARCH_MODE and NODE_ENV of the test run stay out. */
export function guardianFor(yaml: string, options: GuardianOptions = {}): Guardian {
  return createGuardian({ policyText: yaml, env: {}, ...options });
}

/** A guardian over one file of tests/fixtures/seed, e.g. `quickstart.yaml`, counting in memory whatever the file's `store:` says. */
export function seedGuardian(file: string, options: GuardianOptions = {}): Guardian {
  return createGuardian({ policyFile: join(SEED_DIR, file), env: {}, store: new MemoryStore(), ...options });
}

/** Runs `count` calls one after another and returns their outcomes. */
export async function outcomes(count: number, call: () => Promise<{ outcome: string }>): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < count; i++) seen.push((await call()).outcome);
  return seen;
}

/** Fakes Date and timers at `iso` around every test of the calling file, so rate windows can be run through. */
export function useFakeTimersAt(iso: string): void {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse(iso) });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}

/** A memory store reached only through promises that yield first, so decisions interleave as on a remote store. */
export class PromiseOnlyStore implements CounterStore {
  readonly name = "promise-only";
  readonly #inner = new MemoryStore();
  async consume(ops: readonly CounterOp[]): Promise<readonly CounterReading[]> {
    await Promise.resolve();
    return this.#inner.consume(ops);
  }
  async refund(ops: readonly CounterOp[]): Promise<void> {
    await Promise.resolve();
    return this.#inner.refund(ops);
  }
  peek(key: string): Promise<CounterReading | undefined> {
    return this.#inner.peek(key);
  }
  set(key: string, used: number, windowMs: number): Promise<void> {
    return this.#inner.set(key, used, windowMs);
  }
  claimOnce(key: string, ttlMs: number): Promise<boolean> {
    return this.#inner.claimOnce(key, ttlMs);
  }
}
