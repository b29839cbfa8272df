// The HTTP benches' round order: every variant once per round, each round starting one further along.
import { describe, expect, it } from "vitest";
import { inTurn } from "../../../bench/http-load.js";

describe("inTurn", () => {
  const variants = ["bare", "hexarch", "floor-rlf"] as const;

  it("starts the first round with the list as given", () => {
    expect(inTurn(variants, 1)).toEqual(["bare", "hexarch", "floor-rlf"]);
  });

  it("starts each later round one variant further along, coming back round", () => {
    expect(inTurn(variants, 2)).toEqual(["hexarch", "floor-rlf", "bare"]);
    expect(inTurn(variants, 3)).toEqual(["floor-rlf", "bare", "hexarch"]);
    expect(inTurn(variants, 4)).toEqual(["bare", "hexarch", "floor-rlf"]);
  });

  it("puts each variant at every position equally often over a whole number of cycles", () => {
    const positions = new Map<string, number[]>(variants.map((v) => [v, []]));
    for (let round = 1; round <= 6; round++) inTurn(variants, round).forEach((v, i) => positions.get(v)?.push(i));
    for (const seen of positions.values()) expect([...seen].sort()).toEqual([0, 0, 1, 1, 2, 2]);
  });
});
