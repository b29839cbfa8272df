// CounterKeys: remembered keys are always the key that would be built, through reviews, pauses and period changes.
import { describe, expect, it } from "vitest";
import { CounterKeys } from "../../../src/engine/counters.js";

describe("CounterKeys", () => {
  it("gives base + partition for returning and new partitions alike", () => {
    const keys = new CounterKeys("hexarch:p:0:0:");
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 1_000; i++) expect(keys.keyFor(`c${i}`)).toBe(`hexarch:p:0:0:c${i}`);
    }
  });

  it("stays exact when there are far more partitions than it remembers (reviews stop and restart remembering)", () => {
    const keys = new CounterKeys("k:");
    const wrong: string[] = [];
    for (let i = 0; i < 400_000; i++) {
      const partition = i % 7 === 0 ? "hot" : `p${i}`;
      if (keys.keyFor(partition) !== `k:${partition}`) wrong.push(partition);
    }
    for (let i = 0; i < 200_000; i++) if (keys.keyFor(`q${i % 100}`) !== `k:q${i % 100}`) wrong.push(`q${i % 100}`);
    expect(wrong).toEqual([]);
  });

  it("names the calendar period in a budget's key and follows it when the period changes", () => {
    const keys = new CounterKeys("b:");
    expect(keys.keyFor("*", "2026-11")).toBe("b:*:2026-11");
    expect(keys.keyFor("*", "2026-11")).toBe("b:*:2026-11");
    expect(keys.keyFor("*", "2026-12")).toBe("b:*:2026-12");
    expect(keys.keyFor("acme", "2026-12")).toBe("b:acme:2026-12");
  });
});
