// The store's shared deadline timer: a budget counts from when a command leaves, and a silent answer still fails.
import { describe, expect, it } from "vitest";
import { Deadlines } from "../../../src/stores/redis/deadlines.js";

const BUDGET_MS = 50;

/** Keeps the CPU busy without yielding, as a slow synchronous handler does. */
function blockFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/** Work that finishes `ms` after this turn's check phase, where ioredis' auto-pipeline writes its commands. */
function answeredAfterSend(ms: number): Promise<string> {
  return new Promise((resolve) => setImmediate(() => setTimeout(() => resolve("answer"), ms)));
}

const timeout = (overdueMs: number): Error => new Error(`timed out, judged ${Math.round(overdueMs)} ms late`);

describe("Deadlines", () => {
  it("gives a call whose command a blocked loop held back its whole budget from when the command left", async () => {
    const deadlines = new Deadlines(BUDGET_MS);
    const answer = deadlines.within(answeredAfterSend(BUDGET_MS / 2), timeout);
    blockFor(3 * BUDGET_MS);
    await expect(answer).resolves.toBe("answer");
    deadlines.stop();
  });

  it("still fails a call that gets no answer, at its deadline plus a turn", async () => {
    const deadlines = new Deadlines(BUDGET_MS);
    const started = performance.now();
    await expect(deadlines.within(new Promise<never>(() => undefined), timeout)).rejects.toThrow("timed out");
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(BUDGET_MS - 1);
    expect(waited).toBeLessThan(BUDGET_MS + 500);
    deadlines.stop();
  });
});
