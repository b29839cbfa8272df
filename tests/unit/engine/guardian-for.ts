// Builds guardians for engine tests: inline YAML or a seed fixture, a settable clock, and no ambient environment.
import { join } from "node:path";
import { afterEach, beforeEach, vi } from "vitest";
import { createGuardian, MemoryStore, type Guardian, type GuardianOptions } from "../../../src/index.js";

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
