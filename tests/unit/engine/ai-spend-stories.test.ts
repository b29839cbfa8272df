// The seed's AI-bill stories as tests: a weekend loop of GPT-4 calls, and 20 calls in flight against the last 5 cents.
import { describe, expect, it } from "vitest";
import { MemoryStore } from "../../../src/index.js";
import { guardianFor, PromiseOnlyStore } from "./guardian-for.js";

const GPT4 = `
prices:
  gpt-4: { input_per_mtok: 30, output_per_mtok: 60 }
  gpt-4o: { input_per_mtok: 2.5, output_per_mtok: 10 }
policies:
  - id: monthly_ai
    rules:
      - resource: openai
        monthly_budget: 50
        action: "warn_at_80%"
`;

describe("seed stories", () => {
  it("a loop of 1,000 GPT-4-priced calls stops at the monthly budget, with a warning from 80%", async () => {
    const guardian = guardianFor(GPT4, { clock: () => Date.parse("2026-11-28T03:00:00Z") });
    // Each call reserves 1000 × 30 + 500 × 60 = 60,000 millionths and settles at 1000 × 30 + 400 × 60 = 54,000.
    const reserve = 60_000;
    const actual = 54_000;
    const limit = 50_000_000;
    const outcomes: string[] = [];
    let firstWarning: number | undefined;
    for (let call = 0; call < 1000; call++) {
      const decision = await guardian.check("monthly_ai", { resource: "openai", model: "gpt-4", inputTokens: 1000, maxOutputTokens: 500 });
      outcomes.push(decision.outcome);
      if (decision.outcome === "warn") firstWarning ??= call;
      if (decision.isAllowed()) await decision.settle({ prompt_tokens: 1000, completion_tokens: 400 });
    }
    // The reference: a call is admitted while what is spent plus its reservation fits the budget.
    let spent = 0;
    let admitted = 0;
    let warnFrom: number | undefined;
    for (let call = 0; call < 1000 && spent + reserve <= limit; call++, admitted++) {
      if (spent + reserve >= limit * 0.8) warnFrom ??= call;
      spent += actual;
    }
    expect(admitted).toBeLessThan(1000);
    expect(outcomes.filter((o) => o === "allow" || o === "warn")).toHaveLength(admitted);
    expect(outcomes.slice(admitted).every((o) => o === "limit")).toBe(true);
    expect(firstWarning).toBe(warnFrom);
    const [slot] = guardian.countersFor({ resource: "openai" }, ["monthly_ai"]);
    expect((await guardian.store.peek(slot?.key ?? ""))?.used).toBe(spent);
    expect(spent).toBeLessThanOrEqual(limit);
  });

  it.each([
    ["the memory store", () => new MemoryStore()],
    ["a promise-only store", () => new PromiseOnlyStore()],
  ])("20 calls in flight reserving 0.0125 each against 0.05 remaining admit exactly 4, on %s", async (_name, makeStore) => {
    const guardian = guardianFor(GPT4.replace("monthly_budget: 50", "monthly_budget: 1"), { store: makeStore() });
    const ctx = { resource: "openai", model: "gpt-4o", inputTokens: 1000, maxOutputTokens: 1000 };
    const [slot] = guardian.countersFor(ctx, ["monthly_ai"]);
    await guardian.store.set(slot?.key ?? "", 950_000, slot?.windowMs ?? 60_000);
    const decisions = await Promise.all(Array.from({ length: 20 }, () => guardian.check("monthly_ai", ctx)));
    expect(decisions.filter((d) => d.isAllowed())).toHaveLength(4);
    expect(decisions.filter((d) => d.outcome === "limit")).toHaveLength(16);
    expect((await guardian.store.peek(slot?.key ?? ""))?.used).toBe(1_000_000);
  });
});
