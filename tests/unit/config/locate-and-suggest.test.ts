// Tests key-path locations (block, flow and aliased YAML) and the nearest-word suggestions behind "did you mean".
import { LineCounter, parseDocument } from "yaml";
import { describe, it, expect } from "vitest";
import { createSourceLocator, formatKeyPath } from "../../../src/engine/config/locate.js";
import { closestMatch, suggestionFix } from "../../../src/engine/config/suggest.js";

/** A locator over `text`. */
function locatorFor(text: string): ReturnType<typeof createSourceLocator> {
  const lineCounter = new LineCounter();
  return createSourceLocator(parseDocument(text, { lineCounter }), lineCounter);
}

describe("formatKeyPath", () => {
  it("writes paths the way people read them", () => {
    expect(formatKeyPath(["policies", 1, "rules", 0, "requests_per_minite"])).toBe("policies[1].rules[0].requests_per_minite");
    expect(formatKeyPath([])).toBe("");
    expect(formatKeyPath(["store", "my key"])).toBe('store["my key"]');
  });
});

describe("createSourceLocator", () => {
  const text =
    "policies:\n  - id: a\n    rules: [{ operation: delete }, { resource: '*', key: user }]\n  - id: b\n    rules: &shared\n      - operation: read\n  - id: c\n    rules: *shared\n";

  it("locates values in block and flow collections, 1-based", () => {
    const locator = locatorFor(text);
    expect(locator.locate([])).toEqual({ line: 1, column: 1 });
    expect(locator.locate(["policies", 0])).toEqual({ line: 2, column: 5 });
    expect(locator.locate(["policies", 0, "rules", 1])).toEqual({ line: 3, column: 36 });
    expect(locator.locate(["policies", 0, "rules", 1, "key"])).toEqual({ line: 3, column: 58 });
    expect(locator.locateKey(["policies", 0, "rules", 1, "key"])).toEqual({ line: 3, column: 53 });
  });

  it("follows aliases to where the aliased node was written", () => {
    expect(locatorFor(text).locate(["policies", 2, "rules", 0, "operation"])).toEqual({ line: 6, column: 20 });
  });

  it("returns undefined for missing paths, and the nearest ancestor on request", () => {
    const locator = locatorFor(text);
    expect(locator.locate(["policies", 0, "description"])).toBeUndefined();
    expect(locator.locate(["policies", 7])).toBeUndefined();
    expect(locator.locateNearest(["policies", 1, "description"])).toEqual({ line: 4, column: 5 });
  });
});

describe("closestMatch / suggestionFix", () => {
  it("finds typos, transpositions, other casings and prefixes", () => {
    expect(closestMatch("requests_per_minite", ["requests_per_minute", "requests_per_hour"])).toBe("requests_per_minute");
    expect(closestMatch("opne", ["closed", "open"])).toBe("open");
    expect(closestMatch("requestsPerMinute", ["requests_per_minute", "cost"])).toBe("requests_per_minute");
    expect(closestMatch("thurs", ["thursday", "tuesday"])).toBe("thursday");
  });

  it("refuses to guess when nothing is close, and then lists the choices", () => {
    expect(closestMatch("zzzz", ["block", "warn"])).toBeUndefined();
    expect(suggestionFix("zzzz", ["block", "warn"], "valid actions")).toBe("valid actions: block, warn");
    expect(suggestionFix("blokc", ["block", "warn"])).toBe('did you mean "block"?');
  });
});
