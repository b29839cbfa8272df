// Attack: many priced model calls at once against one budget, trying to get more admitted than it has room for.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MemoryStore, type CounterStore, type GuardContext, type Guardian } from "../../../src/index.js";
import { guardianFor, PromiseOnlyStore } from "../../unit/engine/guardian-for.js";

/** Seed of every property in this file: the same calls on every run. */
const SEED = 28_001;

/** gpt-4o at 2.5 / 10 per million tokens; a budget of 0.05 a month; a ceiling of 0.0125 a call (room for 4). */
const POLICY = `
prices:
  gpt-4o: { input_per_mtok: 2.5, output_per_mtok: 10 }
policies:
  - id: ai
    rules:
      - resource: llm
        monthly_budget: 0.05
        max_cost_per_call: 0.0125
  - id: open_ended
    rules:
      - resource: free
        monthly_budget: 0.05
`;

async function budgetUsed(guardian: Guardian, policy: string, resource: string): Promise<number> {
  const [slot] = guardian.countersFor({ resource, cost: 0 }, [policy]);
  return (await guardian.store.peek(slot?.key ?? ""))?.used ?? 0;
}

const STORES: readonly (readonly [string, () => CounterStore])[] = [
  ["memory store (one turn per decision)", () => new MemoryStore()],
  ["a store answering through promises (decisions interleave)", () => new PromiseOnlyStore()],
];

describe.each(STORES)("concurrent priced calls, %s", (_name, makeStore) => {
  it("50 calls naming only the model admit exactly 4 (each reserves max_cost_per_call), and protect runs 4 times", async () => {
    const guardian = guardianFor(POLICY, { store: makeStore() });
    const decisions = await Promise.all(Array.from({ length: 50 }, () => guardian.check("ai", { resource: "llm", model: "gpt-4o" })));
    expect(decisions.filter((d) => d.isAllowed())).toHaveLength(4);
    expect(await budgetUsed(guardian, "ai", "llm")).toBe(50_000);
    let runs = 0;
    const chat = guardianFor(POLICY, { store: makeStore() }).protect("ai", async () => (runs += 1), {
      context: { resource: "llm", model: "gpt-4o", maxOutputTokens: 1 },
    });
    await Promise.allSettled(Array.from({ length: 50 }, () => chat()));
    expect(runs).toBe(4);
  });

  it("calls naming only the model under a budget without a ceiling are all refused, and nothing is counted", async () => {
    const guardian = guardianFor(POLICY, { store: makeStore() });
    const decisions = await Promise.all(
      Array.from({ length: 20 }, () => guardian.check("open_ended", { resource: "free", model: "gpt-4o" })),
    );
    expect(new Set(decisions.map((d) => `${d.outcome}/${d.kind ?? ""}`))).toEqual(new Set(["deny/cost"]));
    expect(await budgetUsed(guardian, "open_ended", "free")).toBe(0);
  });

  it("any mix of calls, with and without token counts, never reserves past the budget", async () => {
    const call = fc.oneof(
      fc.record({ inputTokens: fc.integer({ min: 0, max: 2000 }), maxOutputTokens: fc.integer({ min: 0, max: 1000 }) }),
      fc.record({ inputTokens: fc.integer({ min: 0, max: 2000 }) }),
      fc.record({ maxOutputTokens: fc.integer({ min: 0, max: 1000 }) }),
      fc.constant({}),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 40 }), async (calls) => {
        const guardian = guardianFor(POLICY, { store: makeStore() });
        const decisions = await Promise.all(
          calls.map((tokens) => guardian.check("ai", { resource: "llm", model: "gpt-4o", ...tokens } satisfies GuardContext)),
        );
        const reserved = decisions.reduce((sum, d) => sum + (d.isAllowed() ? Math.round((d.reserved ?? 0) * 1e6) : 0), 0);
        const used = await budgetUsed(guardian, "ai", "llm");
        expect(used).toBe(reserved);
        expect(used).toBeLessThanOrEqual(50_000);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });
});
