// Attack: model names spelt to slip past models: / forbidden_models: or to be priced cheaper: case, spaces, NUL, prefixes, homoglyphs.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Decision } from "../../../src/index.js";
import { guardianFor } from "../../unit/engine/guardian-for.js";

/** Seed of every property in this file: the same names on every run. */
const SEED = 28_003;

const POLICY = `
prices:
  "*": { input_per_mtok: 0.01, output_per_mtok: 0.01 }
  gpt-4o: { input_per_mtok: 2.5, output_per_mtok: 10 }
  "claude-opus-4*": { input_per_mtok: 15, output_per_mtok: 75 }
  "ünïcode-model": { input_per_mtok: 1, output_per_mtok: 1 }
policies:
  - id: batch
    rules:
      - resource: batch
        monthly_budget: 1000
        forbidden_models: ["*opus*", "gpt-4o"]
  - id: chat
    rules:
      - resource: chat
        models: ["gpt-4o-mini", "claude-3-5-haiku*"]
`;

const guardian = guardianFor(POLICY);
const call = (policy: "batch" | "chat", model: string): Promise<Decision> =>
  guardian.check(policy, { resource: policy, model, inputTokens: 1000, maxOutputTokens: 1000 });

/** A spelling of `name` with each letter in upper or lower case as the flags say. */
const recased = (name: string) =>
  fc
    .array(fc.boolean(), { minLength: name.length, maxLength: name.length })
    .map((up) => [...name].map((c, i) => (up[i] === true ? c.toUpperCase() : c.toLowerCase())).join(""));
const provider = fc.stringMatching(/^[a-z0-9-]{1,12}$/).map((p) => `${p}/`);
/** Characters no plain model name has: controls (NUL, tab, DEL), and letters that look like ASCII ones. */
const odd = fc.constantFrom("\u0000", "\t", "\n", "\u007f", "\u200b", "\u00a0", "\u043e", "\u0430", "\u0435", "\u03bf", "\uff4f", "\u0131");

describe("forbidden_models against hostile spellings", () => {
  it("a forbidden model in any case, behind any provider prefix, is refused naming the model", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("gpt-4o", "claude-opus-4-1", "my-opus-finetune").chain(recased),
        fc.option(provider),
        async (spelt, prefix) => {
          const decision = await call("batch", `${prefix ?? ""}${spelt}`);
          expect([decision.outcome, decision.kind]).toEqual(["deny", "model"]);
          expect(decision.reason).toContain(JSON.stringify(`${prefix ?? ""}${spelt}`));
        },
      ),
      { seed: SEED, numRuns: 150 },
    );
  });

  it("a control character, a look-alike letter or a space at either end anywhere in a name is refused, whatever the name", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("gpt-4o", "claude-opus-4", "gpt-4o-mini", "llama-3"), odd, fc.nat(), async (name, char, at) => {
        const i = at % (name.length + 1);
        const decision = await call("batch", `${name.slice(0, i)}${char}${name.slice(i)}`);
        expect([decision.outcome, decision.kind]).toEqual(["deny", "model"]);
      }),
      { seed: SEED, numRuns: 200 },
    );
    for (const spaced of [" gpt-4o", "gpt-4o ", "\u3000gpt-4o"]) expect((await call("batch", spaced)).outcome).toBe("deny");
  });

  it("an odd name that an entry names exactly is taken as written, and only that spelling", async () => {
    expect((await call("batch", "ünïcode-model")).outcome).toBe("allow");
    expect((await call("batch", "ÜNÏCODE-MODEL")).kind).toBe("model");
  });

  it("a provider prefix alone, or an empty name, is no model", async () => {
    for (const name of ["openai/", "", "/"]) expect((await call("batch", name)).outcome).toBe("deny");
  });
});

describe("models: (allow-list) against hostile spellings", () => {
  it("an allowed model is allowed in any case and behind a provider prefix; a name that only contains it is not", async () => {
    await fc.assert(
      fc.asyncProperty(recased("gpt-4o-mini"), fc.option(provider), async (spelt, prefix) => {
        expect((await call("chat", `${prefix ?? ""}${spelt}`)).outcome).toBe("allow");
      }),
      { seed: SEED, numRuns: 100 },
    );
    for (const name of ["gpt-4o-mini-evil", "x-gpt-4o-mini", "gpt-4o-mini\u0000", "gpt-4o-m\u0456ni"])
      expect((await call("chat", name)).outcome).toBe("deny");
  });
});

describe("prices against hostile spellings", () => {
  it("a model is priced by its own entry in any case and behind a provider prefix, never by a cheaper catch-all", async () => {
    await fc.assert(
      fc.asyncProperty(recased("claude-opus-4-1"), fc.option(provider), async (spelt, prefix) => {
        const decision = await guardian.check("chat", {
          resource: "other",
          model: `${prefix ?? ""}${spelt}`,
          inputTokens: 1000,
          maxOutputTokens: 1000,
        });
        expect(decision.price?.pattern).toBe("claude-opus-4*");
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});
