// A sealed line is the canonical JSON of the record with its MAC, so a reader can parse it and recompute the MAC.
import { expect, it } from "vitest";
import { canonicalJson } from "../../../src/log/canonical.js";
import { sealRecord } from "../../../src/log/chain.js";
import { logMac } from "../../../src/log/mac.js";

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
