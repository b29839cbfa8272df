// The quick check of plain decision requests may only vouch for bodies DecisionRequestSchema accepts, with the value
// the schema gives: checked on bodies made at random around every limit it knows, and on hand-picked near misses.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { plainDecisionRequest } from "../../../src/server/plain-request.js";
import { DecisionRequestSchema } from "../../../src/server/schemas.js";

/** Strings around each length the check knows (16, 128, 1024), and odd characters. */
const text = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom(16, 17, 127, 128, 129, 1023, 1024, 1025).map((n) => "a".repeat(n)),
  fc.constantFrom("", "GET", "/items", "a b", "x\u0000y", "\uD800", "é"),
);
const value = fc.oneof(
  text,
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(text, { maxLength: 2 }),
  fc.dictionary(text, text, { maxKeys: 2 }),
);
const contextKey = fc.constantFrom(
  "resource",
  "resource_type",
  "route",
  "method",
  "client",
  "user",
  "api_key",
  "environment",
  "feature",
  "operation",
  "roles",
  "facts",
  "cost",
  "model",
  "keys",
  "other",
  "__proto__",
);
const context = fc.oneof(fc.dictionary(contextKey, value, { maxKeys: 5 }), value);
const body = fc.oneof(
  fc.record(
    {
      context,
      policy: fc.oneof(text, fc.constantFrom("rate_limit", "a.b-c_d", "x".repeat(128), "x".repeat(129)), fc.array(text, { maxLength: 2 })),
      dry_run: value,
      confirm_token: text,
      other: value,
    },
    { requiredKeys: [] },
  ),
  value,
);

describe("plainDecisionRequest", () => {
  it("vouches only for bodies the schema accepts, with the schema's value", () => {
    fc.assert(
      fc.property(body, (generated) => {
        // Through JSON, as a body arrives (a __proto__ key becomes an own key, as JSON.parse makes it).
        const raw: unknown = JSON.parse(JSON.stringify(generated));
        const vouched = plainDecisionRequest(raw);
        if (vouched === undefined) return;
        const parsed = DecisionRequestSchema.safeParse(raw);
        expect(parsed.success).toBe(true);
        expect(vouched).toEqual(parsed.data);
      }),
      { numRuns: 3000 },
    );
  });

  it("takes the plain bodies apps send, and leaves the rest to the schema", () => {
    expect(plainDecisionRequest({ context: { route: "/items", method: "GET", client: "203.0.113.9" } })).toBeDefined();
    expect(plainDecisionRequest({ policy: "rate_limit", dry_run: true })).toEqual({ policy: "rate_limit", dry_run: true, context: {} });
    expect(plainDecisionRequest({})).toEqual({ context: {} });
    for (const other of [
      { context: { method: "x".repeat(17) } },
      { context: { route: "/" }, confirm_token: "t" },
      { context: { cost: 1 } },
      { context: { operation: "read" } },
      { policy: "a b" },
      { policy: ["a"] },
      { dry_run: "yes" },
      JSON.parse('{"__proto__": {}}') as unknown,
      JSON.parse('{"context": {"__proto__": "x"}}') as unknown,
      [],
      null,
    ])
      expect(plainDecisionRequest(other)).toBeUndefined();
  });
});
