// Issue 28, AI spend: one regression test per defect, each named after what it prevents.
import { describe, expect, it, onTestFinished } from "vitest";
import type { GuardContext } from "../../../src/index.js";
import { startTestServer } from "../../server/serve-support.js";
import { guardianFor } from "./guardian-for.js";

const PRICED = `
prices:
  gpt-4o: { input_per_mtok: 2.5, output_per_mtok: 10 }
  "claude-*": { input_per_mtok: 15, output_per_mtok: 75 }
policies:
  - id: ai
    rules:
      - resource: llm
        monthly_budget: 0.05
`;

describe("context fields", () => {
  it("a context field spelt as the server's API spells it (input_tokens) is refused, naming inputTokens, instead of admitting the call free", async () => {
    const guardian = guardianFor(PRICED);
    const snake = { resource: "llm", model: "gpt-4o", input_tokens: 100_000, max_output_tokens: 4000 } as unknown as GuardContext;
    await expect(guardian.check("ai", snake)).rejects.toThrow(/unknown context field "input_tokens": did you mean "inputTokens"\?/);
    await expect(guardian.evaluate(snake)).rejects.toThrow(TypeError);
    let ran = false;
    const call = guardian.protect("ai", () => (ran = true), { context: { model: "gpt-4o", max_tokens: 10 } as unknown as GuardContext });
    await expect(call()).rejects.toThrow(/"max_tokens": did you mean "maxOutputTokens"\?/);
    expect(ran).toBe(false);
    const [slot] = guardian.countersFor({ resource: "llm", cost: 0 }, ["ai"]);
    expect((await guardian.store.peek(slot?.key ?? ""))?.used ?? 0).toBe(0);
  });
});

describe("priced calls without token counts", () => {
  it("a priced call stating no token counts no longer reserves 0: 20 at once against room for 4 admit 4, or are refused naming the fields", async () => {
    const withCeiling = PRICED.replace("monthly_budget: 0.05", "monthly_budget: 0.05\n        max_cost_per_call: 0.0125");
    const bounded = guardianFor(withCeiling);
    const checks = await Promise.all(Array.from({ length: 20 }, () => bounded.check("ai", { resource: "llm", model: "gpt-4o" })));
    expect(checks.filter((d) => d.isAllowed())).toHaveLength(4);
    expect(checks[0]?.reserved).toBe(0.0125);
    let runs = 0;
    const chat = guardianFor(withCeiling).protect("ai", () => (runs += 1), {
      context: { resource: "llm", model: "gpt-4o", inputTokens: 10 },
    });
    await Promise.allSettled(Array.from({ length: 20 }, () => chat()));
    expect(runs).toBe(4);

    const unbounded = guardianFor(PRICED);
    const refused = await unbounded.check("ai", { resource: "llm", model: "gpt-4o" });
    expect([refused.outcome, refused.kind]).toEqual(["deny", "cost"]);
    expect(refused.reason).toContain("the call states no inputTokens and maxOutputTokens");
    expect((await unbounded.check("ai", { resource: "llm", model: "gpt-4o", inputTokens: 5 })).reason).toContain(
      "states no maxOutputTokens",
    );
  });
});

describe("model names", () => {
  it("forbidden_models is not slipped past by case, spaces, NUL, a provider prefix or a Cyrillic look-alike", async () => {
    const guardian = guardianFor(`
prices:
  "*": { input_per_mtok: 1, output_per_mtok: 1 }
  "модель-1": { input_per_mtok: 1, output_per_mtok: 1 }
policies:
  - id: batch
    rules:
      - monthly_budget: 100
        forbidden_models: ["*opus*", "gpt-4o"]
`);
    const call = (model: string) => guardian.check("batch", { model, inputTokens: 10, maxOutputTokens: 10 });
    for (const model of ["claude-Opus-4", "GPT-4o", "gpt-4o ", "gpt-4o\u0000", "openai/gpt-4o", "claude-\u043epus-4"]) {
      const decision = await call(model);
      expect([model, decision.outcome, decision.kind]).toEqual([model, "deny", "model"]);
    }
    expect((await call("openai/GPT-4o")).reason).toContain('model "openai/GPT-4o" is forbidden here (forbidden_models: gpt-4o)');
    expect((await call("claude-\u043epus-4")).reason).toContain("a character outside printable ASCII (U+043E)");
    expect((await call("claude-sonnet-4")).outcome).toBe("allow");
    expect((await call("модель-1")).outcome).toBe("allow");
  });
});

describe("settling shadowed calls", () => {
  it("settling a shadowed call at 0 gives back only what each budget kept, so a shadow budget cannot be drained", async () => {
    const server = await startTestServer(`policies:
  - id: shadow
    enforcement: warn
    rules:
      - resource: r
        monthly_budget: 1
  - id: wide
    rules:
      - resource: r
        monthly_budget: 100
`);
    onTestFinished(() => server.stop());
    const decide = (cost: number, dry = false) =>
      server.post("/v1/decisions", { policy: ["shadow", "wide"], context: { resource: "r", cost }, ...(dry ? { dry_run: true } : {}) });
    const used = async (): Promise<number[]> => ((await decide(0, true)).body.counters as { used: number }[]).map((c) => c.used);
    const first = await decide(1);
    await server.post(`/v1/decisions/${first.body.id as string}/settle`, { cost: 1 });
    const over = await decide(1);
    expect([over.body.outcome, over.body.would_be]).toEqual(["warn", "limit"]);
    expect(await used()).toEqual([1, 2]);
    expect((await server.post(`/v1/decisions/${over.body.id as string}/settle`, { cost: 0 })).body.settled).toBe(true);
    // The shadow budget kept nothing of the second call: it still holds the first call's real spend.
    expect(await used()).toEqual([1, 1]);
  });
});
