// The price table: exact names over globs, longer literal prefixes over shorter, and the file order as the last word.
import { describe, expect, it } from "vitest";
import { PriceTable } from "../../../src/engine/pricing/price-table.js";
import { compileModelPattern } from "../../../src/engine/pricing/model-pattern.js";

const price = (input: number) => ({ input_per_mtok: input, output_per_mtok: input * 4 });

describe("price table", () => {
  const table = new PriceTable({
    "claude-*": price(1),
    "claude-3-5-haiku*": price(0.8),
    "claude-3-5-haiku-20241022": price(0.7),
    "*haiku*": price(9),
    "gpt-4o*": price(2.5),
    "gpt-4o-mini*": price(0.15),
  });

  it("prices an exact name by its own entry, before any glob that also matches", () => {
    expect(table.lookup("claude-3-5-haiku-20241022")?.pattern).toBe("claude-3-5-haiku-20241022");
  });

  it("prefers the glob with the longer literal prefix", () => {
    expect(table.lookup("claude-3-5-haiku-latest")?.pattern).toBe("claude-3-5-haiku*");
    expect(table.lookup("claude-opus-4")?.pattern).toBe("claude-*");
    expect(table.lookup("gpt-4o-mini-2024-07-18")?.pattern).toBe("gpt-4o-mini*");
    expect(table.lookup("gpt-4o-2024-08-06")?.pattern).toBe("gpt-4o*");
  });

  it("falls back to a glob without a prefix, and finds nothing for an unknown model", () => {
    expect(table.lookup("my-haiku-model")?.pattern).toBe("*haiku*");
    expect(table.lookup("llama-3")).toBeUndefined();
    expect(table.lookup("llama-3")).toBeUndefined();
  });

  it("answers the same remembered or scanned", () => {
    for (const model of ["claude-3-5-haiku-x", "gpt-4o", "mistral", "haiku"]) expect(table.lookup(model)).toBe(table.scan(model));
  });

  it("breaks a tie of equally specific globs by file order", () => {
    const tied = new PriceTable({ "a*x": price(1), "a*y*": price(2), "a*": price(3) });
    expect(tied.lookup("abx")?.pattern).toBe("a*x");
    expect(tied.lookup("aby1")?.pattern).toBe("a*y*");
  });
});

describe("model patterns", () => {
  it("matches * as any text, pieces in order, and nothing else", () => {
    const glob = compileModelPattern("claude-*-haiku*");
    expect(glob.matchesText("claude-3-5-haiku-20241022")).toBe(true);
    expect(glob.matchesText("claude--haiku")).toBe(true);
    expect(glob.matchesText("claude-haiku")).toBe(false);
    expect(compileModelPattern("*opus*").matchesText("claude-opus-4-1")).toBe(true);
    expect(compileModelPattern("a*b*b").matchesText("ab")).toBe(false);
    expect(compileModelPattern("a*b*b").matchesText("abb")).toBe(true);
    expect(compileModelPattern("gpt-4o").matchesText("gpt-4o-mini")).toBe(false);
  });
});
