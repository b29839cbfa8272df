// Property: near-valid budgets and costs load into counters every store counts exactly, or fail with located problems.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_AMOUNT, MIN_AMOUNT } from "../../../src/engine/amount.js";
import { compilePolicySet } from "../../../src/engine/compile/policy-set.js";
import { parsePolicyText } from "../../../src/engine/config/load.js";
import { PolicyConfigError } from "../../../src/errors/config-error.js";
import { MAX_POINTS } from "../../../src/stores/store.js";

/** Amounts at and around every bound, as YAML scalars, and ordinary ones. */
const amountText = fc.oneof(
  fc.constantFrom(
    "0",
    "-0",
    "-1",
    ".inf",
    "-.inf",
    ".nan",
    "1e-7",
    "4e-7",
    "5e-7",
    "0.0000015",
    "0.000001",
    "1e9",
    "1000000000.5",
    "1e21",
    "1e303",
    "9007199254.740993",
  ),
  fc
    .constantFrom(MIN_AMOUNT, MAX_AMOUNT)
    .chain((bound) => fc.double({ min: bound * 0.5, max: bound * 2, noNaN: true }))
    .map(String),
  fc.double({ noNaN: true }).map(String),
  fc.integer({ min: -3, max: 1_000_000 }).map(String),
);

const ruleLines = fc.record(
  {
    budget: fc.tuple(fc.constantFrom("daily_budget", "monthly_budget"), amountText),
    cost: amountText,
    warn: fc.constantFrom('"warn_at_80%"', '"block"', '"warn"'),
  },
  { requiredKeys: ["budget"] },
);

function policyText(rules: readonly { budget: [string, string]; cost?: string; warn?: string }[]): string {
  const lines = ["policies:", "  - id: p", "    rules:"];
  for (const rule of rules) {
    lines.push(`      - ${rule.budget[0]}: ${rule.budget[1]}`);
    if (rule.cost !== undefined) lines.push(`        cost: ${rule.cost}`);
    if (rule.warn !== undefined) lines.push(`        action: ${rule.warn}`);
  }
  return `${lines.join("\n")}\n`;
}

describe("amounts in generated policy files", () => {
  it("load only as counters a store counts exactly, else as a located PolicyConfigError", () => {
    fc.assert(
      fc.property(fc.array(ruleLines, { minLength: 1, maxLength: 3 }), (rules) => {
        let loaded;
        try {
          loaded = parsePolicyText(policyText(rules), "x.yaml");
        } catch (error) {
          expect(error).toBeInstanceOf(PolicyConfigError);
          for (const problem of (error as PolicyConfigError).problems)
            expect(problem.line, JSON.stringify(problem)).toBeGreaterThanOrEqual(1);
          return;
        }
        for (const indexed of compilePolicySet(loaded).rules) {
          for (const counter of indexed.rule.counters) {
            if (counter.kind !== "budget") continue;
            expect(Number.isInteger(counter.limitMicros) && counter.limitMicros >= 1 && counter.limitMicros <= MAX_POINTS).toBe(true);
            const fixed = counter.fixedCostMicros;
            if (fixed === undefined) continue;
            expect(Number.isInteger(fixed) && fixed >= 0 && fixed <= counter.limitMicros).toBe(true);
            expect(fixed === 0 || (indexed.rule.spec.cost ?? 0) >= MIN_AMOUNT).toBe(true);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
