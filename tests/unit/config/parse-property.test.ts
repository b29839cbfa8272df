// Property tests: whatever the text, parsePolicyText returns or throws a PolicyConfigError whose problems are located.
import fc from "fast-check";
import { stringify } from "yaml";
import { describe, it, expect } from "vitest";
import { parsePolicyText } from "../../../src/engine/config/load.js";
import { PolicyConfigError } from "../../../src/errors/config-error.js";
import { PolicyFileSchema, PolicySchema, RuleSchema, StoreSchema } from "../../../src/engine/config/schema.js";

const ALL_KEYS = [PolicyFileSchema, PolicySchema, RuleSchema, StoreSchema].flatMap((schema) => Object.keys(schema.shape));

/**
 * Parses `text` and checks the outcome: success, or a PolicyConfigError with at least one problem,
 * each located at line/column >= 1 unless it is a whole-file problem (path ""). Returns the error, if any.
 */
function expectWellFormedOutcome(text: string): PolicyConfigError | undefined {
  try {
    parsePolicyText(text, "x.yaml");
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyConfigError);
    const problems = (error as PolicyConfigError).problems;
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) {
      expect(problem.file).toBe("x.yaml");
      const located = problem.line !== undefined && problem.line >= 1 && problem.column !== undefined && problem.column >= 1;
      expect(located || problem.path === "", JSON.stringify(problem)).toBe(true);
    }
    return error as PolicyConfigError;
  }
}

/** Pieces of YAML that, glued together at random, reach past the parser into validation. */
const yamlFragment = fc.oneof(
  fc.constantFrom(...ALL_KEYS.map((key) => `${key}: `)),
  fc.constantFrom(
    "- ",
    ":",
    ": ",
    "\n",
    "  ",
    "    ",
    "&a ",
    "*a",
    "&b ",
    "*b",
    "[",
    "]",
    "{",
    "}",
    ", ",
    '"',
    "'",
    "# c",
    "---\n",
    "\t",
    "? ",
    "!!str ",
    "~",
    "null",
  ),
  fc.constantFrom(
    "policies:\n  - id: p\n    rules:\n      - ",
    "\n        ",
    "block",
    "warn",
    "warn_at_80%",
    "warn_at_0%",
    "require_confirmation",
    "user",
    "global",
  ),
  fc.constantFrom(
    '"09:00-17:00"',
    '"22:00-06:00"',
    '"10:00-10:00"',
    "monday",
    "fri",
    "funday",
    "America/New_York",
    "Mars/Olympus",
    "/api/*",
    "admin",
  ),
  fc.integer({ min: -5, max: 200 }).map(String),
  fc.double({ noNaN: true }).map(String),
  fc.boolean().map(String),
  fc.string({ maxLength: 4 }),
);

/** Random values of the kinds the schema expects, plus wrong kinds. */
const anyValue = fc.oneof(
  fc.constantFrom(
    "*",
    "openai",
    "delete",
    "block",
    "warn_at_80%",
    "warn_at_101%",
    "user",
    "api-key",
    "09:00-17:00",
    "9-17",
    "mon",
    "Tuesdy",
    "UTC",
    "Europe/Berln",
    "/x",
    "x",
  ),
  fc.integer({ min: -2, max: 150 }),
  fc.double({ min: -1, max: 200, noNaN: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.constantFrom("friday", "sat", "16:00-24:00", "admin", "/r", "r", ""), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom("backup_verified", "ticket"), fc.oneof(fc.boolean(), fc.string({ maxLength: 3 })), { maxKeys: 2 }),
);

/** Mostly-plausible policy files: schema keys (and a few misspellings) with random values, serialised as YAML. */
const policyDocument = fc.record({
  policies: fc.array(
    fc.record(
      {
        id: fc.oneof(fc.constantFrom("a", "b", "a b"), fc.integer()),
        enabled: fc.boolean(),
        rules: fc.array(
          fc.dictionary(fc.constantFrom(...Object.keys(RuleSchema.shape), "requests_per_minite", "timezon"), anyValue, { maxKeys: 5 }),
          { maxLength: 3 },
        ),
      },
      { requiredKeys: ["rules"] },
    ),
    { maxLength: 3 },
  ),
  opa: fc.option(fc.constant({ url: "http://x" }), { nil: undefined }),
});

describe("parsePolicyText never throws anything but a well-formed PolicyConfigError", () => {
  it("for arbitrary strings", () => {
    fc.assert(
      fc.property(fc.string(), (text) => void expectWellFormedOutcome(text)),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (text) => void expectWellFormedOutcome(text)),
      { numRuns: 500 },
    );
  });

  it("for YAML-ish fragment soup", () => {
    const soup = fc.array(yamlFragment, { maxLength: 40 }).map((parts) => parts.join(""));
    fc.assert(
      fc.property(soup, (text) => void expectWellFormedOutcome(text)),
      { numRuns: 2000 },
    );
  });

  it("for generated policy files, locating every problem in the file", () => {
    fc.assert(
      fc.property(policyDocument, (doc) => {
        const error = expectWellFormedOutcome(stringify(doc));
        for (const problem of error?.problems ?? []) {
          expect(problem.line, JSON.stringify(problem)).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
