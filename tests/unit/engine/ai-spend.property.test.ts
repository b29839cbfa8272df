// Properties of AI spend: usages settle to the exact reference sum in millionths, and spend stays within its bounds.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MemoryStore, type Guardian, type GuardContext } from "../../../src/index.js";
import type { TokenUsage } from "../../../src/engine/pricing/usage.js";
import { guardianFor, PromiseOnlyStore } from "./guardian-for.js";

/** Prices in millionths per million tokens: any amount with up to six decimals, up to 100 per million tokens. */
const microPrice = fc.integer({ min: 0, max: 100_000_000 });
const price = (micros: number): string => (micros / 1e6).toFixed(6);

function policy(input: number, cached: number, output: number, budget: number): string {
  return `
prices:
  m: { input_per_mtok: ${price(input)}, output_per_mtok: ${price(output)}, cached_input_per_mtok: ${price(cached)} }
policies:
  - id: spend
    rules:
      - resource: llm
        monthly_budget: ${budget}
`;
}

/** One call's token counts as its provider reports them, in one of the three shapes. */
const usageArb = fc
  .record({
    input: fc.integer({ min: 0, max: 300_000 }),
    cachedShare: fc.double({ min: 0, max: 1, noNaN: true }),
    output: fc.integer({ min: 0, max: 100_000 }),
    shape: fc.constantFrom("chat", "responses", "anthropic"),
  })
  .map(({ input, cachedShare, output, shape }) => ({ input, cached: Math.floor(input * cachedShare), output, shape }));
type DrawnUsage = { input: number; cached: number; output: number; shape: string };

/** The usage object as the provider's SDK would return it. */
function usageObject({ input, cached, output, shape }: DrawnUsage): TokenUsage {
  if (shape === "chat") return { prompt_tokens: input, completion_tokens: output, prompt_tokens_details: { cached_tokens: cached } };
  if (shape === "responses") return { input_tokens: input, output_tokens: output, input_tokens_details: { cached_tokens: cached } };
  return { input_tokens: input - cached, output_tokens: output, cache_read_input_tokens: cached, cache_creation_input_tokens: 0 };
}

/** The reference: each call's cost in BigInt millionths, rounded up once per call. */
function referenceMicros(u: DrawnUsage, input: number, cached: number, output: number): bigint {
  const scaled = BigInt(u.input - u.cached) * BigInt(input) + BigInt(u.cached) * BigInt(cached) + BigInt(u.output) * BigInt(output);
  return (scaled + 999_999n) / 1_000_000n;
}

async function spent(guardian: Guardian, ctx: GuardContext): Promise<number> {
  const [slot] = guardian.countersFor(ctx, ["spend"]);
  return (await guardian.store.peek(slot?.key ?? ""))?.used ?? 0;
}

describe.each([
  ["the memory store", () => new MemoryStore()],
  ["a promise-only store", () => new PromiseOnlyStore()],
])("settling by usage, on %s", (_name, makeStore) => {
  it("1,000 random usages settle to exactly the reference sum in millionths", async () => {
    await fc.assert(
      fc.asyncProperty(
        microPrice,
        microPrice,
        microPrice,
        fc.array(usageArb, { minLength: 1000, maxLength: 1000 }),
        async (input, cached, output, usages) => {
          const guardian = guardianFor(policy(input, cached, output, 1_000_000_000), { store: makeStore() });
          let reference = 0n;
          for (const u of usages) {
            const decision = await guardian.check("spend", {
              resource: "llm",
              model: "m",
              inputTokens: u.input,
              maxOutputTokens: u.output,
            });
            expect(decision.isAllowed()).toBe(true);
            await decision.settle(usageObject(u));
            reference += referenceMicros(u, input, cached, output);
          }
          expect(BigInt(await spent(guardian, { resource: "llm" }))).toBe(reference);
        },
      ),
      { numRuns: 8 },
    );
  });
});

describe("spend bounds", () => {
  /** A call: the tokens it sends, the output it may produce, what it did produce, and whether it stated its maximum. */
  const callArb = fc.record({
    input: fc.integer({ min: 0, max: 20_000 }),
    maxOutput: fc.integer({ min: 0, max: 8_000 }),
    used: fc.double({ min: 0, max: 1, noNaN: true }),
    overrun: fc.integer({ min: 0, max: 8_000 }),
  });

  it("with max_output_tokens stated, spend never exceeds the budget, with calls in flight together and settled in any order", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(callArb, { minLength: 1, maxLength: 200 }),
        fc.array(fc.nat(), { minLength: 200, maxLength: 200 }),
        async (calls, order) => {
          const guardian = guardianFor(policy(2_500_000, 1_250_000, 10_000_000, 0.5));
          const open: { settle: () => Promise<void> }[] = [];
          for (const [i, call] of calls.entries()) {
            const decision = await guardian.check("spend", {
              resource: "llm",
              model: "m",
              inputTokens: call.input,
              maxOutputTokens: call.maxOutput,
            });
            if (decision.isAllowed())
              open.push({
                settle: () => decision.settle({ prompt_tokens: call.input, completion_tokens: Math.floor(call.maxOutput * call.used) }),
              });
            // Settle a few calls in flight, picked by the drawn order.
            if ((order[i] ?? 0) % 3 === 0 && open.length > 0) await open.splice((order[i] ?? 0) % open.length, 1)[0]?.settle();
            expect(await spent(guardian, { resource: "llm" })).toBeLessThanOrEqual(500_000);
          }
          for (const call of open) await call.settle();
          expect(await spent(guardian, { resource: "llm" })).toBeLessThanOrEqual(500_000);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("without it, calls settled one at a time never spend past the budget + the largest single under-estimate", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(callArb, { minLength: 1, maxLength: 200 }), async (calls) => {
        const guardian = guardianFor(policy(2_500_000, 1_250_000, 10_000_000, 0.5));
        let largestUnder = 0;
        for (const call of calls) {
          const decision = await guardian.check("spend", { resource: "llm", model: "m", inputTokens: call.input });
          if (!decision.isAllowed()) continue;
          const before = await spent(guardian, { resource: "llm" });
          await decision.settle({ prompt_tokens: call.input, completion_tokens: call.overrun });
          largestUnder = Math.max(largestUnder, (await spent(guardian, { resource: "llm" })) - before);
          expect(await spent(guardian, { resource: "llm" })).toBeLessThanOrEqual(500_000 + largestUnder);
        }
      }),
      { numRuns: 40 },
    );
  });
});
