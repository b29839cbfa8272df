// Attack: context fields the engine does not read, spelt to get a model call admitted for free or to dodge a rule.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRemoteGuardian, type GuardContext } from "../../../src/index.js";
import { guardianFor } from "../../unit/engine/guardian-for.js";

/** Seed of every property in this file: the same field names on every run. */
const SEED = 28_004;

const POLICY = `
prices:
  gpt-4o: { input_per_mtok: 2.5, output_per_mtok: 10 }
policies:
  - id: ai
    rules:
      - monthly_budget: 0.05
`;

/** Every field a GuardContext has, with a value of its type. */
const KNOWN: Required<GuardContext> = {
  operation: "read",
  resource: "llm",
  resourceType: "api",
  method: "GET",
  route: "/chat",
  caseInsensitiveRoute: false,
  client: "203.0.113.9",
  user: "ada",
  roles: ["dev"],
  apiKey: "k",
  environment: "test",
  facts: { a: true },
  feature: "f",
  confirm: false,
  approval: "ap_unknown",
  cost: 0,
  model: "gpt-4o",
  inputTokens: 1,
  maxOutputTokens: 1,
  keys: { tenant: "t" },
  now: Date.parse("2026-12-07T12:00:00Z"),
};

const asContext = (value: unknown) => value as GuardContext;

describe("unknown context fields", () => {
  it("the other surfaces' spellings are refused before anything is counted, naming the field meant", async () => {
    const guardian = guardianFor(POLICY);
    const meant: Record<string, string> = {
      input_tokens: "inputTokens",
      max_output_tokens: "maxOutputTokens",
      max_tokens: "maxOutputTokens",
      maxTokens: "maxOutputTokens",
      prompt_tokens: "inputTokens",
      resource_type: "resourceType",
      api_key: "apiKey",
      inputtokens: "inputTokens",
      Model: "model",
    };
    for (const [field, name] of Object.entries(meant)) {
      await expect(guardian.check("ai", asContext({ model: "gpt-4o", [field]: 1 }))).rejects.toThrow(`did you mean "${name}"?`);
    }
    const [slot] = guardian.countersFor({ cost: 0 }, ["ai"]);
    expect(await guardian.store.peek(slot?.key ?? "")).toBeUndefined();
  });

  it("any field name that is not a GuardContext field is refused; every GuardContext field is accepted", async () => {
    const guardian = guardianFor(POLICY);
    const names = Object.keys(KNOWN);
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 24 }).filter((name) => !names.includes(name)),
        async (field) => {
          await expect(guardian.evaluate(asContext({ ...KNOWN, cost: 0.01, [field]: 100_000 }))).rejects.toThrow(TypeError);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
    await expect(guardian.evaluate({ ...KNOWN, cost: 0 })).resolves.toBeDefined();
  });

  it("a field hidden on the prototype, under __proto__, or a context that is no object is refused too", async () => {
    const guardian = guardianFor(POLICY);
    const inherited = Object.create({ input_tokens: 100_000 }) as GuardContext;
    await expect(guardian.check("ai", inherited)).rejects.toThrow(/input_tokens/);
    await expect(guardian.check("ai", asContext(JSON.parse('{"__proto__": {"cost": 0}}')))).rejects.toThrow(/__proto__/);
    for (const value of [null, "gpt-4o", 42, ["model"]]) await expect(guardian.check("ai", asContext(value))).rejects.toThrow(TypeError);
  });

  it("protect refuses before running the function; countersFor throws", async () => {
    const guardian = guardianFor(POLICY);
    let runs = 0;
    const fn = guardian.protect("ai", () => (runs += 1), { context: () => asContext({ model: "gpt-4o", max_output_tokens: 9 }) });
    await expect(fn()).rejects.toThrow(/"maxOutputTokens"/);
    expect(runs).toBe(0);
    expect(() => guardian.countersFor(asContext({ max_tokens: 1 }))).toThrow(TypeError);
  });

  it("the remote guardian refuses them instead of dropping them on the wire (no request is sent)", async () => {
    let sent = 0;
    const remote = createRemoteGuardian({
      url: "http://127.0.0.1:9",
      fail: "closed",
      fetch: () => {
        sent += 1;
        return Promise.reject(new Error("no server"));
      },
    });
    await expect(remote.check("ai", asContext({ model: "gpt-4o", input_tokens: 100_000 }))).rejects.toThrow(/"inputTokens"/);
    expect(sent).toBe(0);
  });
});
