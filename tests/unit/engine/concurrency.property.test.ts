// Properties: N calls in flight together against a limit L admit exactly min(N, L), and refused calls consume nothing.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MemoryStore, type Guardian } from "../../../src/index.js";
import { guardianFor, PromiseOnlyStore } from "./guardian-for.js";

function limited(limit: number, extra = ""): string {
  return `
policies:
  - id: limited
    rules:
      - requests_per_minute: ${limit}
        key: global
${extra}`;
}

/** What the counters of one policy hold now, read through the store. */
async function used(guardian: Guardian, policyId: string): Promise<number[]> {
  const slots = guardian.countersFor({ client: "c" }, [policyId]);
  return Promise.all(slots.map(async (slot) => (await guardian.store.peek(slot.key))?.used ?? 0));
}

const STORES = [
  ["the memory store", () => new MemoryStore()],
  ["a promise-only store", () => new PromiseOnlyStore()],
] as const;

describe.each(STORES)("calls in flight together, on %s", (_name, makeStore) => {
  it("admit exactly min(N, L) and count exactly the admitted calls", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 200 }), async (calls, limit) => {
        const guardian = guardianFor(limited(limit), { store: makeStore() });
        const decisions = await Promise.all(Array.from({ length: calls }, () => guardian.check("limited", { client: "c" })));
        const admitted = decisions.filter((d) => d.isAllowed()).length;
        expect(admitted).toBe(Math.min(calls, limit));
        expect(decisions.filter((d) => d.outcome === "limit").length).toBe(calls - admitted);
        expect(await used(guardian, "limited")).toEqual([admitted]);
      }),
      { numRuns: 60 },
    );
  });

  it("calls another policy denies consume nothing, so the limit admits min(N - denied, L)", async () => {
    const gate = `
  - id: gate
    rules:
      - require_facts: [approved]
`;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.boolean(), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 200 }),
        async (approvals, limit) => {
          const guardian = guardianFor(limited(limit, gate), { store: makeStore() });
          const decisions = await Promise.all(
            approvals.map((approved) => guardian.check(["limited", "gate"], { client: "c", facts: { approved } })),
          );
          const approvedCalls = approvals.filter(Boolean).length;
          expect(decisions.filter((d) => d.outcome === "deny").length).toBe(approvals.length - approvedCalls);
          const admitted = decisions.filter((d) => d.isAllowed()).length;
          expect(admitted).toBe(Math.min(approvedCalls, limit));
          expect(await used(guardian, "limited")).toEqual([admitted]);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("two counters, calls in flight together on the memory store", () => {
  it("admit exactly min(N, L, M), and calls the second limit refuses give their first point back", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 200 }),
        async (calls, first, second) => {
          const guardian = guardianFor(
            limited(
              first,
              `
  - id: second
    rules:
      - requests_per_hour: ${second}
        key: global
`,
            ),
          );
          const decisions = await Promise.all(Array.from({ length: calls }, () => guardian.check(["limited", "second"], { client: "c" })));
          const admitted = decisions.filter((d) => d.isAllowed()).length;
          expect(admitted).toBe(Math.min(calls, first, second));
          expect(await used(guardian, "limited")).toEqual([admitted]);
          expect(await used(guardian, "second")).toEqual([admitted]);
        },
      ),
      { numRuns: 60 },
    );
  });
});
