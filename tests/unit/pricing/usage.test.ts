// Usage objects as the providers return them, read into priced token counts; anything else is refused by name.
import { describe, expect, it } from "vitest";
import { readUsage, type TokenUsage } from "../../../src/engine/pricing/usage.js";
import { tokenCostMicros, microPrice } from "../../../src/engine/pricing/token-cost.js";

describe("usage shapes", () => {
  it("reads OpenAI Chat Completions usage, cached prompt tokens priced apart", () => {
    const withTotal: TokenUsage & { total_tokens: number } = { prompt_tokens: 1200, completion_tokens: 300, total_tokens: 1500 };
    expect(readUsage(withTotal)).toEqual({ input: 1200, cachedInput: 0, output: 300 });
    expect(readUsage({ prompt_tokens: 1200, completion_tokens: 300, prompt_tokens_details: { cached_tokens: 1000 } })).toEqual({
      input: 200,
      cachedInput: 1000,
      output: 300,
    });
  });

  it("reads OpenAI Responses usage, whose input_tokens include the cached ones", () => {
    expect(readUsage({ input_tokens: 500, output_tokens: 40, input_tokens_details: { cached_tokens: 100 } })).toEqual({
      input: 400,
      cachedInput: 100,
      output: 40,
    });
  });

  it("reads Anthropic usage, whose input_tokens exclude cache reads and writes", () => {
    expect(readUsage({ input_tokens: 20, output_tokens: 7, cache_creation_input_tokens: 300, cache_read_input_tokens: 900 })).toEqual({
      input: 320,
      cachedInput: 900,
      output: 7,
    });
    expect(readUsage({ input_tokens: 20, output_tokens: 7, cache_creation_input_tokens: null, cache_read_input_tokens: 5 })).toEqual({
      input: 20,
      cachedInput: 5,
      output: 7,
    });
  });

  it("refuses a usage of no known shape, a missing output count and a bad count, naming the field", () => {
    const refusal = (usage: TokenUsage): string => {
      const read = readUsage(usage);
      return read instanceof Error ? read.message : "read";
    };
    expect(readUsage({})).toBeInstanceOf(TypeError);
    expect(refusal({ total_tokens: 9 } as TokenUsage)).toContain("prompt_tokens and completion_tokens (OpenAI Chat)");
    expect(refusal({ prompt_tokens: 9 })).toContain("completion_tokens undefined (undefined) is not a token count");
    expect(readUsage({ input_tokens: -1, output_tokens: 2 })).toBeInstanceOf(RangeError);
    expect(refusal({ input_tokens: 1.5, output_tokens: 2 })).toContain("input_tokens 1.5 is not a token count");
    expect(refusal({ prompt_tokens: 10, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 11 } })).toContain(
      "more than prompt_tokens 10",
    );
  });
});

describe("token cost", () => {
  const prices = (input: number, cached: number, output: number) => ({
    input: microPrice(input),
    cachedInput: microPrice(cached),
    output: microPrice(output),
  });

  it("is tokens × price per million, in whole millionths, rounded up once per call", () => {
    // gpt-4o: 2.5 / 1.25 / 10 per million tokens.
    expect(tokenCostMicros({ input: 1000, cachedInput: 0, output: 500 }, prices(2_500_000, 1_250_000, 10_000_000))).toBe(7500);
    expect(tokenCostMicros({ input: 3, cachedInput: 0, output: 0 }, prices(2_500_000, 0, 0))).toBe(8);
    expect(tokenCostMicros({ input: 1, cachedInput: 1, output: 1 }, prices(300_000, 300_000, 400_000))).toBe(1);
    expect(tokenCostMicros({ input: 0, cachedInput: 0, output: 0 }, prices(2_500_000, 0, 10_000_000))).toBe(0);
  });

  it("stays exact at a billion tokens of a price with six decimals", () => {
    const exact = (1_000_000_000n * 123_456_789n + 999_999n) / 1_000_000n;
    expect(tokenCostMicros({ input: 1_000_000_000, cachedInput: 0, output: 0 }, prices(123_456_789, 0, 0))).toBe(Number(exact));
  });
});
