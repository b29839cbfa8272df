// The rule index: a call reaches exactly the rules whose resource, operation or route can match it, in file order.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { firstSegment, pathSegments } from "../../../src/engine/route.js";
import { ScopedCall } from "../../../src/engine/scope.js";
import type { GuardContext } from "../../../src/index.js";
import { guardianFor } from "./guardian-for.js";

const guardian = guardianFor(`
policies:
  - id: everything
    rules:
      - requests_per_minute: 100
  - id: openai
    rules:
      - resource: openai
        operation: read
        monthly_budget: 10
  - id: deletes
    rules:
      - operation: [delete, purge]
  - id: admin
    rules:
      - route: ["/admin/*", "/ops/:task"]
  - id: any_first_segment
    rules:
      - route: "/:tenant/reports"
  - id: dormant
    enabled: false
    rules:
      - operation: delete
`);

function reached(ctx: GuardContext): string[] {
  const call = new ScopedCall(ctx, "development", false, Date.now);
  return guardian.policies.index.candidates(call).map((indexed) => indexed.policy.id);
}

describe("RuleIndex", () => {
  it("files each rule under one dimension and gathers, in file order, what a call can match", () => {
    expect(reached({})).toEqual(["everything", "any_first_segment"]);
    expect(reached({ resource: "openai" })).toEqual(["everything", "openai", "any_first_segment"]);
    expect(reached({ operation: "PURGE" })).toEqual(["everything", "deletes", "any_first_segment"]);
    expect(reached({ route: "/admin/users?x=1" })).toEqual(["everything", "admin", "any_first_segment"]);
    expect(reached({ route: "//ops/run" })).toEqual(["everything", "admin", "any_first_segment"]);
    expect(reached({ resource: "openai", operation: ["delete", "purge"], route: "/admin" })).toEqual([
      "everything",
      "openai",
      "deletes",
      "admin",
      "any_first_segment",
    ]);
  });

  it("answers the same for the same call again (merged lists are kept)", () => {
    const first = reached({ resource: "openai", operation: "delete" });
    expect(reached({ resource: "openai", operation: "delete" })).toEqual(first);
    expect(reached({ operation: "delete", resource: "openai" })).toEqual(first);
  });

  it("keeps the merge for a call naming several operations of which one has rules, instead of merging per call", () => {
    const candidates = () =>
      guardian.policies.index.candidates(new ScopedCall({ operation: ["read", "delete"] }, "development", false, Date.now));
    expect(candidates().map((indexed) => indexed.policy.id)).toEqual(["everything", "deletes", "any_first_segment"]);
    expect(candidates()).toBe(candidates());
  });

  it("leaves disabled policies out", () => {
    expect(reached({ operation: "delete" })).not.toContain("dormant");
  });
});

describe("pathSegments and firstSegment", () => {
  it("split any path like split-and-filter does, ignoring the query, and agree on the first segment", () => {
    const pathChars = fc.constantFrom("/", "?", "a", "b", "1", ":", "*", "%", "&", "=");
    fc.assert(
      fc.property(fc.string({ unit: pathChars, maxLength: 24 }), (path) => {
        const expected = (path.split("?")[0] ?? "").split("/").filter((segment) => segment !== "");
        expect(pathSegments(path)).toEqual(expected);
        expect(firstSegment(path)).toBe(expected[0] ?? "");
      }),
      { numRuns: 2_000 },
    );
  });
});
