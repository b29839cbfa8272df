// The engine's one amount check: every entry refuses a cost it cannot count, as a decision, and counts nothing for it.
import { describe, expect, it } from "vitest";
import { PolicyViolation, type Guardian } from "../../../src/index.js";
import { guardianFor } from "./guardian-for.js";

const TEN_A_MONTH = `
policies:
  - id: spend
    rules:
      - resource: openai
        monthly_budget: 10
`;

const UNREADABLE = [-1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];

async function spent(guardian: Guardian): Promise<number> {
  const [slot] = guardian.countersFor({ resource: "openai" }, ["spend"]);
  return (await guardian.store.peek(slot?.key ?? ""))?.used ?? 0;
}

describe("the amount check at the engine's boundary", () => {
  it("does not let a negative, NaN or infinite cost credit or poison a budget through check() or evaluate()", async () => {
    const guardian = guardianFor(TEN_A_MONTH);
    for (const cost of UNREADABLE) {
      for (let i = 0; i < 25; i++) {
        const viaCheck = await guardian.check("spend", { resource: "openai", cost });
        expect(viaCheck).toMatchObject({ outcome: "deny", kind: "cost" });
        expect(viaCheck.reason).toContain(String(cost));
        expect(viaCheck.explain()).toEqual([expect.objectContaining({ applied: false, why: `not evaluated: ${viaCheck.reason}` })]);
        expect((await guardian.evaluate({ resource: "openai", cost })).outcome).toBe("deny");
      }
    }
    expect(await spent(guardian)).toBe(0);
    const admitted = [];
    for (let i = 0; i < 12; i++) admitted.push((await guardian.check("spend", { resource: "openai", cost: 1 })).outcome);
    expect(admitted.filter((o) => o === "allow")).toHaveLength(10);
  });

  it("does not run a protected function whose cost estimate is unreadable, nor count it", async () => {
    const guardian = guardianFor(TEN_A_MONTH);
    let ran = 0;
    const call = guardian.protect("spend", () => ran++, { context: { resource: "openai" }, cost: () => Number.NaN });
    await expect(call()).rejects.toThrow(PolicyViolation);
    await expect(call()).rejects.toThrow(/cost NaN/);
    expect(ran).toBe(0);
    expect(await spent(guardian)).toBe(0);
  });

  it("does not let a protected function's settle report an unreadable cost silently", async () => {
    const guardian = guardianFor(TEN_A_MONTH);
    const call = guardian.protect("spend", () => "done", { context: { resource: "openai" }, cost: 2, settle: () => -3 });
    await expect(call()).rejects.toThrow(/-3/);
    expect(await spent(guardian)).toBe(2_000_000);
  });

  it("does not accept an unreadable settle on a decision that reserved nothing", async () => {
    const guardian = guardianFor(TEN_A_MONTH);
    const unrelated = await guardian.check("spend", { resource: "elsewhere" });
    await expect(unrelated.settle(Number.NaN)).rejects.toThrow(RangeError);
    await expect(unrelated.settle("3" as unknown as number)).rejects.toThrow(TypeError);
    await expect(unrelated.settle(0)).resolves.toBeUndefined();
  });
});
