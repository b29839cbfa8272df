// canonicalJson hands objects already in key order to JSON.stringify: whatever the order, the text must be the sorted one.
import fc from "fast-check";
import { expect, it } from "vitest";
import { canonicalJson } from "../../../src/log/canonical.js";

/** The definition, written plainly: keys sorted at every level, undefined members left out. */
function sortedText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? "null" : sortedText(item))).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const object = value as Record<string, unknown>;
    const members = Object.keys(object)
      .sort()
      .filter((key) => object[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${sortedText(object[key])}`);
    return `{${members.join(",")}}`;
  }
  return JSON.stringify(value);
}

it("does not write keys out of sorted order, whatever order an object lists them in", () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      expect(canonicalJson(value as never)).toBe(sortedText(value));
    }),
    { numRuns: 500 },
  );
});

it("does not trust JSON.stringify with integer-like keys, which objects list numerically", () => {
  // Object.keys gives "2", "10"; sorted as text, "10" comes first.
  expect(canonicalJson({ 2: "b", 10: "a", x: { 9: 1, 10: 2 } })).toBe('{"10":"a","2":"b","x":{"10":2,"9":1}}');
});

it("does not keep undefined members, in sorted objects as in unsorted ones", () => {
  expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  expect(canonicalJson({ b: 1, a: undefined })).toBe('{"b":1}');
  expect(canonicalJson([undefined as never, 1])).toBe("[null,1]");
});
