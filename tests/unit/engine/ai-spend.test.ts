// AI spend by tokens: priced reservations, settling by usage, models as scope, the per-call ceiling, unpriced models.
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { MemoryStore, PolicyViolation, type Guardian, type GuardContext } from "../../../src/index.js";
import { guardianFor } from "./guardian-for.js";

const POLICY = `
prices:
  gpt-4o: { input_per_mtok: 2.5, output_per_mtok: 10, cached_input_per_mtok: 1.25 }
  "claude-3-5-haiku*": { input_per_mtok: 0.8, output_per_mtok: 4 }
  "claude-opus-4*": { input_per_mtok: 15, output_per_mtok: 75 }
policies:
  - id: ai_spend
    rules:
      - resource: openai
        monthly_budget: 10
        max_cost_per_call: 1
  - id: batch
    rules:
      - resource: batch
        forbidden_models: ["*opus*"]
        daily_budget: 50
  - id: cheap_only
    rules:
      - resource: chat
        models: ["claude-3-5-haiku*", "gpt-4o"]
`;

const GPT = { resource: "openai", model: "gpt-4o", inputTokens: 1000, maxOutputTokens: 500 } satisfies GuardContext;

/** The budget counter (spent and reserved) and what of it is reserved, not yet settled, in millionths. */
async function spentAndReserved(guardian: Guardian, ctx: GuardContext, policy: string): Promise<[number, number]> {
  const [slot] = guardian.countersFor(ctx, [policy]);
  if (slot === undefined) throw new Error("no budget counter");
  const used = (await guardian.store.peek(slot.key))?.used ?? 0;
  const settled = (await guardian.store.peek(`${slot.key}:settled`))?.used ?? 0;
  return [used, used - settled];
}

describe("priced reservations", () => {
  it("reserves input × input price + max output × output price, in exact millionths", async () => {
    const guardian = guardianFor(POLICY);
    const decision = await guardian.check("ai_spend", GPT);
    expect(decision.outcome).toBe("allow");
    expect(decision.reserved).toBe(0.0075);
    expect(decision.counters[0]?.used).toBe(0.0075);
    expect(decision.price?.pattern).toBe("gpt-4o");
    expect(await spentAndReserved(guardian, GPT, "ai_spend")).toEqual([7500, 7500]);
  });

  it("settles an OpenAI usage to its exact cost and clears the reservation", async () => {
    const guardian = guardianFor(POLICY);
    const decision = await guardian.check("ai_spend", GPT);
    await decision.settle({ prompt_tokens: 1000, completion_tokens: 120, prompt_tokens_details: { cached_tokens: 400 } });
    // 600 × 2.5 + 400 × 1.25 + 120 × 10 = 1500 + 500 + 1200 millionths.
    expect(await spentAndReserved(guardian, GPT, "ai_spend")).toEqual([3200, 0]);
    await decision.settle(1);
    await decision.release();
    expect(await spentAndReserved(guardian, GPT, "ai_spend")).toEqual([3200, 0]);
  });

  it("settles an Anthropic usage with cache reads and writes", async () => {
    const guardian = guardianFor(POLICY);
    const ctx = { resource: "batch", model: "claude-3-5-haiku-20241022", inputTokens: 100, maxOutputTokens: 100 };
    const decision = await guardian.check("batch", ctx);
    await decision.settle({ input_tokens: 10, output_tokens: 50, cache_creation_input_tokens: 90, cache_read_input_tokens: 1000 });
    // (10 + 90) × 0.8 + 1000 × 0.8 (no cached price: input price) + 50 × 4 = 80 + 800 + 200.
    expect(await spentAndReserved(guardian, ctx, "batch")).toEqual([1080, 0]);
  });

  it("gives the whole reservation back on release()", async () => {
    const guardian = guardianFor(POLICY);
    const decision = await guardian.check("ai_spend", GPT);
    await decision.release();
    expect(await spentAndReserved(guardian, GPT, "ai_spend")).toEqual([0, 0]);
  });

  it("lets a stated cost win over the token estimate", async () => {
    const decision = await guardianFor(POLICY).check("ai_spend", { ...GPT, cost: 0.5 });
    expect(decision.reserved).toBe(0.5);
  });

  it("refuses a usage for a call without a priced model, and a malformed usage, changing nothing", async () => {
    const guardian = guardianFor(POLICY);
    const plain = await guardian.check("ai_spend", { resource: "openai", cost: 0.25 });
    await expect(plain.settle({ prompt_tokens: 1, completion_tokens: 1 })).rejects.toThrow(/stated no model with an entry under prices/);
    const priced = await guardian.check("ai_spend", GPT);
    await expect(priced.settle({ completion_tokens: 3 })).rejects.toThrow(TypeError);
    await expect(priced.settle({ prompt_tokens: -1, completion_tokens: 3 })).rejects.toThrow(RangeError);
    // A stated cost is a reservation too: 0.25 + 0.0075 reserved, nothing settled.
    expect(await spentAndReserved(guardian, GPT, "ai_spend")).toEqual([257_500, 257_500]);
  });

  it("explains which prices: entry priced the call", async () => {
    const decision = await guardianFor(POLICY).check("ai_spend", GPT);
    expect(decision.explain().find((e) => e.rule.policyId === "ai_spend")?.why).toContain(
      "priced by prices.gpt-4o: 1000 input tokens × 2.5 + 500 max output tokens × 10 per million = 0.0075",
    );
  });
});

describe("refusals before anything is spent", () => {
  it("refuses a call to a model with no price under a budget that needs one, naming the model", async () => {
    const guardian = guardianFor(POLICY);
    const decision = await guardian.check("ai_spend", { resource: "openai", model: "gpt-5-turbo", inputTokens: 10 });
    expect(decision.outcome).toBe("deny");
    expect(decision.kind).toBe("model");
    expect(decision.reason).toContain('model "gpt-5-turbo" has no price under prices:');
    expect(await spentAndReserved(guardian, GPT, "ai_spend")).toEqual([0, 0]);
  });

  it("admits an unpriced model where no rule needs a price", async () => {
    expect((await guardianFor(POLICY).check("cheap_only", { resource: "chat", model: "gpt-4o" })).outcome).toBe("allow");
  });

  it("refuses a call whose reservation is above max_cost_per_call (the runaway max_tokens), counting nothing", async () => {
    const guardian = guardianFor(POLICY);
    const decision = await guardian.check("ai_spend", { ...GPT, maxOutputTokens: 100_000 });
    expect(decision.outcome).toBe("deny");
    expect(decision.kind).toBe("ceiling");
    expect(decision.reason).toBe(
      "Policy 'ai_spend' denies this call: this call would reserve 1.0025 (gpt-4o: 1000 input + 100000 max output tokens), more than max_cost_per_call 1",
    );
    expect(await spentAndReserved(guardian, GPT, "ai_spend")).toEqual([0, 0]);
  });

  it("refuses token counts that are not counts, and tokens without a model", async () => {
    const guardian = guardianFor(POLICY);
    const bad = await guardian.check("ai_spend", { ...GPT, inputTokens: -5 });
    expect([bad.outcome, bad.kind, bad.reason]).toEqual([
      "deny",
      "cost",
      "inputTokens -5 is not a token count: give a whole number from 0 to 1000000000",
    ]);
    expect((await guardian.check("ai_spend", { resource: "openai", maxOutputTokens: 5 })).reason).toContain("without a model");
  });
});

describe("models as scope", () => {
  it("seed story: a batch job on an Opus model is refused by forbidden_models, while Haiku passes", async () => {
    const guardian = guardianFor(POLICY);
    const opus = await guardian.check("batch", { resource: "batch", model: "claude-opus-4-1", inputTokens: 2000, maxOutputTokens: 1000 });
    expect(opus.outcome).toBe("deny");
    expect(opus.reason).toBe(`Policy 'batch' denies this call: model "claude-opus-4-1" is forbidden here (forbidden_models: *opus*)`);
    const haiku = await guardian.check("batch", {
      resource: "batch",
      model: "claude-3-5-haiku-latest",
      inputTokens: 2000,
      maxOutputTokens: 1000,
    });
    expect(haiku.outcome).toBe("allow");
    expect(haiku.reserved).toBe(0.0056);
  });

  it("denies a model outside models:, and a call naming no model", async () => {
    const guardian = guardianFor(POLICY);
    expect((await guardian.check("cheap_only", { resource: "chat", model: "claude-3-5-haiku-1" })).outcome).toBe("allow");
    expect((await guardian.check("cheap_only", { resource: "chat", model: "o3" })).reason).toContain(
      'model "o3" is not allowed here; only claude-3-5-haiku*, gpt-4o may be used',
    );
    expect((await guardian.check("cheap_only", { resource: "chat" })).reason).toContain("the call names no model");
  });
});

describe("the documented end of a reservation", () => {
  it("protect: settle returning a usage settles it exactly", async () => {
    const guardian = guardianFor(POLICY);
    // A model call that answers on a later turn of the event loop, as a provider's SDK does.
    const callModel = () =>
      new Promise<{ usage: { input_tokens: number; output_tokens: number } }>((resolve) =>
        setImmediate(() => resolve({ usage: { input_tokens: 1000, output_tokens: 10 } })),
      );
    const chat = guardian.protect("ai_spend", callModel, { context: GPT, settle: (reply) => reply.usage });
    await chat();
    expect(await spentAndReserved(guardian, GPT, "ai_spend")).toEqual([2600, 0]);
  });

  it("protect: a function that throws after starting spends the estimate, and the reservation ends", async () => {
    const guardian = guardianFor(POLICY);
    const failingModel = (): Promise<{ usage: { input_tokens: number; output_tokens: number } }> =>
      Promise.reject(new Error("provider timed out"));
    const chat = guardian.protect("ai_spend", failingModel, { context: GPT, settle: (reply) => reply.usage });
    await expect(chat()).rejects.toThrow("provider timed out");
    expect(await spentAndReserved(guardian, GPT, "ai_spend")).toEqual([7500, 0]);
  });

  it("protect: without settle, the estimate is the spend", async () => {
    const guardian = guardianFor(POLICY);
    await guardian.protect("ai_spend", () => "done", { context: GPT })();
    expect(await spentAndReserved(guardian, GPT, "ai_spend")).toEqual([7500, 0]);
  });

  it("protect: a refused call runs nothing and reserves nothing", async () => {
    const guardian = guardianFor(POLICY);
    let ran = false;
    const opus = guardian.protect("batch", () => (ran = true), { context: { resource: "batch", model: "claude-opus-4" } });
    await expect(opus()).rejects.toBeInstanceOf(PolicyViolation);
    expect(ran).toBe(false);
  });

  it("a reservation never settled stays reserved, then counts as spent at its estimate once reservation_ttl passes", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"] });
    onTestFinished(() => void vi.useRealTimers());
    const store = new MemoryStore();
    const guardian = guardianFor(
      `${POLICY}
  - id: ttl
    rules:
      - resource: ttl
        daily_budget: 5
        reservation_ttl: 30
`,
      { store },
    );
    const ctx = { resource: "ttl", model: "gpt-4o", inputTokens: 1000, maxOutputTokens: 500 };
    const decision = await guardian.check("ttl", ctx);
    expect(await spentAndReserved(guardian, ctx, "ttl")).toEqual([7500, 7500]);
    vi.advanceTimersByTime(29_000);
    expect(await spentAndReserved(guardian, ctx, "ttl")).toEqual([7500, 7500]);
    vi.advanceTimersByTime(2_000);
    await vi.waitFor(async () => expect((await spentAndReserved(guardian, ctx, "ttl"))[1]).toBe(0));
    expect(await spentAndReserved(guardian, ctx, "ttl")).toEqual([7500, 0]);
    // A settle after the ttl is ignored: the estimate (never below the actual with max_output_tokens stated) stays.
    await decision.settle({ prompt_tokens: 1, completion_tokens: 1 });
    expect(await spentAndReserved(guardian, ctx, "ttl")).toEqual([7500, 0]);
  });
});
