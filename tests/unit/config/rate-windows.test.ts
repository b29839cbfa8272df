// The rate-limit fields are defined once (rate-windows.ts): the schema, summaries and code policies follow that list.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { describeTriggers } from "../../../src/engine/compile/summary.js";
import { RATE_LIMIT_FIELDS, RATE_WINDOWS } from "../../../src/engine/config/rate-windows.js";
import { RuleSchema } from "../../../src/engine/config/schema.js";

const SRC = fileURLToPath(new URL("../../../src/", import.meta.url));

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(folder, entry.name)) : entry.name.endsWith(".ts") ? [join(folder, entry.name)] : [],
  );
}

describe("the rate-limit fields", () => {
  it("are each a schema field taking a whole number of at least 1, and summarized in their window's unit", () => {
    for (const { field, unit } of RATE_WINDOWS) {
      expect(RuleSchema.safeParse({ [field]: 5 }).success, field).toBe(true);
      expect(RuleSchema.safeParse({ [field]: 0 }).success, field).toBe(false);
      expect(describeTriggers({ [field]: 5 })).toContain(`5 requests per ${unit}`);
    }
  });

  it("are listed in no source file but rate-windows.ts, so a new window cannot be forgotten in one of them", () => {
    const listing = new RegExp(RATE_LIMIT_FIELDS.map((field) => `"${field}"`).join("[\\s\\S]{0,80}"));
    const listedIn = sourceFiles(SRC)
      .filter((file) => listing.test(readFileSync(file, "utf8")))
      .map((file) => relative(SRC, file));
    expect(listedIn).toEqual(["engine/config/rate-windows.ts"]);
  });
});
