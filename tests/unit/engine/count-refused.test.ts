// `count: all`: a rate limit that counts refused calls too, so a flood of refused or unconfirmed calls is throttled.
import { describe, expect, it } from "vitest";
import { PolicyConfigError } from "../../../src/index.js";
import { guardianFor, outcomes, PromiseOnlyStore } from "./guardian-for.js";

/** Deletes need confirmation; every call counts against 3 per minute, refused ones too when `count` says so. */
function confirmAndLimit(count: "all" | "allowed" | undefined): string {
  return `
policies:
  - id: deletes
    rules:
      - operation: delete
        action: require_confirmation
  - id: flood
    rules:
      - requests_per_minute: 3
${count === undefined ? "" : `        count: ${count}\n`}`;
}

describe("count: all", () => {
  it("throttles a flood of unconfirmed calls: the fourth 428 becomes a 429", async () => {
    const guardian = guardianFor(confirmAndLimit("all"));
    const seen = await outcomes(5, () => guardian.evaluate({ operation: "delete", client: "c" }));
    expect(seen).toEqual(["confirm", "confirm", "confirm", "limit", "limit"]);
  });

  it("does not count refused calls by default, nor with count: allowed", async () => {
    for (const count of [undefined, "allowed"] as const) {
      const guardian = guardianFor(confirmAndLimit(count));
      expect(await outcomes(5, () => guardian.evaluate({ operation: "delete", client: "c" }))).toEqual(Array(5).fill("confirm"));
      expect((await guardian.evaluate({ operation: "read", client: "c" })).counters?.[0]).toMatchObject({ used: 1 });
    }
  });

  it("keeps a refused call's count when a store answers through promises", async () => {
    const guardian = guardianFor(confirmAndLimit("all"), { store: new PromiseOnlyStore() });
    const seen = await outcomes(4, () => guardian.evaluate({ operation: "delete", client: "c" }));
    expect(seen).toEqual(["confirm", "confirm", "confirm", "limit"]);
  });

  it("keeps the count of a call refused by another rule's limit, and gives back the other counters", async () => {
    const guardian = guardianFor(`
policies:
  - id: tight
    rules:
      - requests_per_minute: 1
  - id: flood
    rules:
      - requests_per_minute: 10
        count: all
`);
    await guardian.evaluate({ client: "c" });
    const refused = await guardian.evaluate({ client: "c" });
    expect(refused.outcome).toBe("limit");
    expect(refused.counters?.map((c) => [c.rule.policyId, c.used])).toEqual([
      ["tight", 1],
      ["flood", 2],
    ]);
    const why = refused.explain().map((entry) => entry.why);
    expect(why[1]).toContain("count: all");
  });

  it("is refused on a rule without a rate limit, at its key path", () => {
    let error: unknown;
    try {
      guardianFor("policies:\n  - id: x\n    rules:\n      - daily_budget: 5\n        count: all\n");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PolicyConfigError);
    expect((error as PolicyConfigError).problems[0]).toMatchObject({
      path: "policies[0].rules[0].count",
      message: "count only applies to a rate limit",
      line: 5,
    });
  });
});
