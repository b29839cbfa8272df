// A sealed line is the canonical JSON of the record with its MAC, so a reader can parse it and recompute the MAC.
import fc from "fast-check";
import { expect, it } from "vitest";
import { canonicalJson } from "../../../src/log/canonical.js";
import { sealRecord } from "../../../src/log/chain.js";
import { logMac } from "../../../src/log/mac.js";
import type { RecordBody } from "../../../src/log/records.js";

it("does not seal a line whose keys are out of canonical order, with the MAC in its sorted place", () => {
  const mac = logMac("a-key-of-sixteen-chars");
  const body = { type: "decision", zeta: 1, alpha: { b: [2, { d: null, c: "x" }], a: true }, nothing: undefined } as const;
  const sealed = sealRecord(mac, "previous", "c1", 7, body);
  const parsed = JSON.parse(sealed.line) as Record<string, unknown>;
  expect(parsed["mac"]).toBe(sealed.mac);
  expect(sealed.line).toBe(canonicalJson(parsed as never));
  const { mac: _mac, ...unsealed } = parsed;
  expect(sealed.mac).toBe(mac.chain("previous", canonicalJson(unsealed as never)));
});

it("does not drop a top-level member named __proto__ from the sealed line or its MAC", () => {
  const mac = logMac(undefined);
  const body = JSON.parse('{"__proto__":1,"type":"decision"}') as RecordBody;
  const sealed = sealRecord(mac, "previous", "c1", 3, body);
  expect(sealed.line).toBe(canonicalJson({ ...body, chain: "c1", seq: 3, mac: sealed.mac }));
  expect(sealed.mac).toBe(mac.chain("previous", canonicalJson({ ...body, chain: "c1", seq: 3 })));
});

/** A copy of `value` whose objects are built with their keys in sorted order. */
function inSortedOrder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(inSortedOrder);
  if (value === null || typeof value !== "object") return value;
  const object = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(object)
      .sort()
      .map((key) => [key, inSortedOrder(object[key])]),
  );
}

it("does not seal any body, in key order or not, other than as the canonical JSON of the body with chain, seq and mac", () => {
  const mac = logMac(undefined);
  // Keys around the places of chain, mac and seq, integer-like keys, and keys that need escaping.
  const key = fc.oneof(fc.constantFrom("a", "ch", "chaim", "d", "m", "mad", "r", "se", "sf", "z", "10", "9", 'q"'), fc.string());
  const body = fc
    .dictionary(
      key.filter((name) => !["chain", "seq", "mac", "type"].includes(name)),
      fc.oneof(fc.jsonValue(), fc.constant(undefined)),
    )
    .map((fields) => ({ ...fields, type: "decision" }))
    // Half the bodies list their keys in sorted order at every level, as records are built, for the JSON.stringify path.
    .chain((fields) => fc.constantFrom(fields, inSortedOrder(fields)))
    .map((fields) => fields as RecordBody);
  fc.assert(
    fc.property(body, fc.nat(), (record, seq) => {
      const sealed = sealRecord(mac, "previous", "c1", seq, record);
      expect(sealed.mac).toBe(mac.chain("previous", canonicalJson({ ...record, chain: "c1", seq })));
      expect(sealed.line).toBe(canonicalJson({ ...record, chain: "c1", seq, mac: sealed.mac }));
    }),
    { numRuns: 500 },
  );
});
