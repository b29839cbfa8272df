// MemoryStore: the synchronous path, expiry, refunds, and windows longer than a timer.
import { describe, expect, it, vi } from "vitest";
import { MemoryStore } from "../../../src/index.js";
import { useFakeTimersAt } from "./guardian-for.js";

const DAY_MS = 86_400_000;

useFakeTimersAt("2026-11-24T12:00:00Z");

describe("the synchronous half of the store contract", () => {
  it("MemoryStore answers synchronously", () => {
    const store = new MemoryStore();
    expect(store.consumeSync).toBeTypeOf("function");
    expect(store.refundSync).toBeTypeOf("function");
  });
});

describe("MemoryStore", () => {
  it("counts the same counters through consumeSync and consume", async () => {
    const store = new MemoryStore();
    const op = { key: "a", points: 2, windowMs: 60_000 };
    expect(store.consumeSync?.([op])).toEqual([{ used: 2, resetAt: Date.now() + 60_000 }]);
    vi.advanceTimersByTime(10_000);
    expect(await store.consume([op])).toEqual([{ used: 4, resetAt: Date.now() + 50_000 }]);
    expect(await store.peek("a")).toEqual({ used: 4, resetAt: Date.now() + 50_000 });
  });

  it("drops a counter when its window ends, and starts the next window with the next call", async () => {
    const store = new MemoryStore();
    const op = { key: "a", points: 1, windowMs: 1_000 };
    await store.consume([op, op]);
    vi.advanceTimersByTime(1_000);
    expect(await store.peek("a")).toBeUndefined();
    expect((await store.consume([op]))[0]?.used).toBe(1);
  });

  it("refunds never take a counter below zero and never revive an expired one", async () => {
    const store = new MemoryStore();
    await store.consume([{ key: "a", points: 3, windowMs: 1_000 }]);
    await store.refund([{ key: "a", points: 5, windowMs: 1_000 }]);
    expect((await store.peek("a"))?.used).toBe(0);
    vi.advanceTimersByTime(1_000);
    await store.refund([{ key: "a", points: 1, windowMs: 1_000 }]);
    store.refundSync?.([{ key: "b", points: 1, windowMs: 1_000 }]);
    expect(await store.peek("a")).toBeUndefined();
    expect(await store.peek("b")).toBeUndefined();
  });

  it("keeps a counter whose window is longer than a Node timer can wait until its window ends", async () => {
    const store = new MemoryStore();
    const month = { key: "budget", points: 5, windowMs: 31 * DAY_MS };
    const [first] = await store.consume([month]);
    expect(first).toEqual({ used: 5, resetAt: Date.now() + 31 * DAY_MS });
    vi.advanceTimersByTime(30 * DAY_MS);
    expect((await store.consume([month]))[0]).toEqual({ used: 10, resetAt: first?.resetAt });
    await store.refund([{ ...month, points: 2 }]);
    expect((await store.peek("budget"))?.used).toBe(8);
    vi.advanceTimersByTime(DAY_MS);
    expect(await store.peek("budget")).toBeUndefined();
    expect((await store.consume([month]))[0]?.used).toBe(5);
    await store.close();
  });

  it("sweeps long windows with one timer, which close() stops", async () => {
    const store = new MemoryStore();
    const before = vi.getTimerCount();
    await store.consume([
      { key: "m1", points: 1, windowMs: 31 * DAY_MS },
      { key: "m2", points: 1, windowMs: 31 * DAY_MS },
    ]);
    expect(vi.getTimerCount()).toBe(before + 1);
    await store.close();
    expect(vi.getTimerCount()).toBe(before);
  });

  it("set starts a new window, and claimOnce is true once per key and window", async () => {
    const store = new MemoryStore();
    await store.set("s", 7, 2_000);
    expect(await store.peek("s")).toEqual({ used: 7, resetAt: Date.now() + 2_000 });
    expect(await store.claimOnce("t", 1_000)).toBe(true);
    expect(await store.claimOnce("t", 1_000)).toBe(false);
    vi.advanceTimersByTime(1_000);
    expect(await store.claimOnce("t", 1_000)).toBe(true);
  });
});
