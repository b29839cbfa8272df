// Tests that every seed policy file loads cleanly, and that the full template really uses every key.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it, expect } from "vitest";
import { loadPolicyFile } from "../../../src/engine/config/load.js";
import { PolicyFileSchema, PolicySchema, RuleSchema, StoreSchema } from "../../../src/engine/config/schema.js";

const SEED = join(import.meta.dirname, "../../fixtures/seed");

describe("seed fixtures", () => {
  it.each(readdirSync(SEED).filter((f) => f.endsWith(".yaml")))("%s loads without problems", (name) => {
    const loaded = loadPolicyFile(join(SEED, name));
    expect(loaded.spec.policies.length).toBeGreaterThan(0);
    expect(loaded.file).toBe(join(SEED, name));
  });

  it("quickstart.yaml is the seed's Quick Start file and locates its policies and rules", () => {
    const loaded = loadPolicyFile(join(SEED, "quickstart.yaml"));
    expect(loaded.spec.policies.map((p) => p.id)).toEqual(["api_budget", "rate_limit", "safe_delete"]);
    expect(loaded.spec.policies[0]?.rules[0]).toEqual({ resource: "openai", monthly_budget: 10, action: "warn_at_80%" });
    expect(loaded.locate(["policies", 1])).toEqual({ line: 8, column: 5 });
    expect(loaded.locate(["policies", 1, "rules", 0])).toEqual({ line: 11, column: 9 });
    expect(loaded.locate(["policies", 2, "rules", 0, "action"])).toEqual({ line: 18, column: 17 });
    expect(loaded.locate(["policies", 9])).toBeUndefined();
    expect(loaded.notices).toEqual([]);
  });

  it("full_template.yaml uses every key of the vocabulary and notes the unused opa: section", () => {
    const path = join(SEED, "full_template.yaml");
    const loaded = loadPolicyFile(path);
    const text = readFileSync(path, "utf8");
    const keys = [PolicyFileSchema, PolicySchema, RuleSchema, StoreSchema].flatMap((schema) => Object.keys(schema.shape));
    for (const key of keys) expect(text, `key ${key}`).toMatch(new RegExp(`^\\s*(- )?${key}:`, "m"));
    expect(loaded.notices).toHaveLength(1);
    expect(loaded.notices[0]).toMatch(/opa: section is accepted but unused; policies are evaluated in-process/);
    expect(loaded.spec.policies.find((p) => p.id === "beta_export")?.enabled).toBe(false);
  });
});
