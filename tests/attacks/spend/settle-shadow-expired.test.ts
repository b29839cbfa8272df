// Attack: settles that try to give back more than a budget kept: shadowed calls, expired, repeated and racing settles.
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { MemoryStore, type Guardian } from "../../../src/index.js";
import { startTestServer } from "../../server/serve-support.js";
import { guardianFor } from "../../unit/engine/guardian-for.js";

const policies = (mode: "warn" | "strict", ttl = "") => `
prices:
  gpt-4o: { input_per_mtok: 2.5, output_per_mtok: 10 }
policies:
  - id: shadow
    enforcement: ${mode}
    rules:
      - resource: r
        monthly_budget: 1
        ${ttl}
  - id: wide
    rules:
      - resource: r
        monthly_budget: 1000
`;
const BOTH = ["shadow", "wide"];

async function used(guardian: Guardian, policy: string): Promise<number> {
  const [slot] = guardian.countersFor({ resource: "r", cost: 0 }, [policy]);
  return (await guardian.store.peek(slot?.key ?? ""))?.used ?? 0;
}

describe("settling shadowed calls", () => {
  it("100 shadowed calls released, then settled at 0 by id on the decision server, leave the shadow budget at its real spend", async () => {
    const store = new MemoryStore();
    const shadow = guardianFor(policies("warn"), { store });
    await (await shadow.check(BOTH, { resource: "r", cost: 1 })).settle(1);
    for (let i = 0; i < 100; i++) {
      const over = await shadow.check(BOTH, { resource: "r", cost: 0.9 });
      expect(over.wouldBe).toBe("limit");
      expect(over.reservedCounters.map((c) => c.policyId)).toEqual(["wide"]);
      await over.release();
    }
    expect([await used(shadow, "shadow"), await used(shadow, "wide")]).toEqual([1_000_000, 1_000_000]);
    const strict = guardianFor(policies("strict"), { store });
    expect((await strict.check("shadow", { resource: "r", cost: 0.000001 })).outcome).toBe("limit");

    const server = await startTestServer(policies("warn"));
    onTestFinished(() => server.stop());
    const decide = (cost: number, dry = false) =>
      server.post("/v1/decisions", { policy: BOTH, context: { resource: "r", cost }, ...(dry ? { dry_run: true } : {}) });
    const first = await decide(1);
    await server.post(`/v1/decisions/${first.body.id as string}/settle`, { cost: 1 });
    const overs = await Promise.all(Array.from({ length: 20 }, () => decide(0.9)));
    await Promise.all(overs.map((over) => server.post(`/v1/decisions/${over.body.id as string}/settle`, { cost: 0 })));
    expect(((await decide(0, true)).body.counters as { used: number }[]).map((c) => c.used)).toEqual([1, 1]);
  });

  it("a shadowed call's settle above its estimate adds only to the budgets that kept it", async () => {
    const shadow = guardianFor(policies("warn"));
    await shadow.check(BOTH, { resource: "r", cost: 1 });
    const over = await shadow.check(BOTH, { resource: "r", cost: 0.5 });
    await over.settle(3);
    expect([await used(shadow, "shadow"), await used(shadow, "wide")]).toEqual([1_000_000, 4_000_000]);
  });
});

describe("settling twice, racing, and after expiry", () => {
  it("concurrent settles, releases and settles by usage of one decision: only the first counts", async () => {
    const guardian = guardianFor(policies("strict"));
    const decision = await guardian.check("shadow", { resource: "r", model: "gpt-4o", inputTokens: 10_000, maxOutputTokens: 10_000 });
    expect(decision.reserved).toBe(0.125);
    await Promise.all([
      decision.settle(0.01),
      decision.release(),
      decision.settle({ prompt_tokens: 1, completion_tokens: 1 }),
      decision.settle(0),
    ]);
    expect(await used(guardian, "shadow")).toBe(10_000);
  });

  it("a settle or release after reservation_ttl expired the reservation changes nothing", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"] });
    onTestFinished(() => void vi.useRealTimers());
    const guardian = guardianFor(policies("strict", "reservation_ttl: 5"));
    const decision = await guardian.check("shadow", { resource: "r", cost: 0.4 });
    vi.advanceTimersByTime(7_000);
    await vi.waitFor(async () =>
      expect((await guardian.store.peek(`${decision.reservedCounters[0]?.key ?? ""}:settled`))?.used).toBe(400_000),
    );
    await decision.release();
    await decision.settle(0);
    expect(await used(guardian, "shadow")).toBe(400_000);
  });

  it("a settle the store cannot count (negative, NaN, past the largest amount) rejects and changes nothing", async () => {
    const guardian = guardianFor(policies("strict"));
    const decision = await guardian.check("shadow", { resource: "r", cost: 0.5 });
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, 1e16]) await expect(decision.settle(bad)).rejects.toThrow(/cannot settle/);
    await expect(decision.settle({ prompt_tokens: 1, completion_tokens: 1 })).rejects.toThrow(TypeError);
    expect(await used(guardian, "shadow")).toBe(500_000);
  });
});
