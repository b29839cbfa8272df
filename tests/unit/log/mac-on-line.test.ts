// Verify checks a record's MAC over its line's own bytes first: that shortcut must decide every line as the canonical check does.
import fc from "fast-check";
import { expect, it } from "vitest";
import { canonicalJson } from "../../../src/log/canonical.js";
import { sealRecord } from "../../../src/log/chain.js";
import { logMac } from "../../../src/log/mac.js";
import { LogVerifier } from "../../../src/log/verify.js";
import { parsedRecord, sealedAfter, type ParsedRecord } from "../../../src/log/verify-lines.js";

const mac = logMac("a-key-of-sixteen-chars");

/** The check verify made before the shortcut: the MAC over the canonical JSON of the parsed record less its `mac`. */
function canonicalCheck(previous: string, record: ParsedRecord): boolean {
  const { mac: written, ...unsealed } = record;
  return mac.chain(previous, canonicalJson(unsealed)) === written;
}

/** `line` with `text` put in at `at` (clamped into the line). */
function putIn(line: string, at: number, text: string): string {
  const place = at % (line.length + 1);
  return line.slice(0, place) + text + line.slice(place);
}

it("a line's own bytes never vouch for a record its canonical form would not (moved, nested, spaced, edited)", () => {
  const body = fc
    .dictionary(
      fc.oneof(fc.constantFrom("a", "context", "m", "mad", "z", "facts"), fc.string({ maxLength: 4 })),
      fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined)),
      { maxKeys: 5 },
    )
    .filter((fields) => !["chain", "seq", "mac", "type"].some((name) => name in fields))
    .map((fields) => ({ ...fields, type: "decision" as const }));
  const change = fc.oneof(
    fc.constant((line: string) => line),
    // The MAC member moved elsewhere: among the top-level members, into a nested object or a string, or copied.
    fc.nat().map((at) => (line: string) => {
      const member = /,"mac":"[0-9a-f]{64}"/.exec(line)?.[0] ?? "";
      return putIn(line.replace(member, ""), at, member);
    }),
    fc.nat().map((at) => (line: string) => putIn(line, at, /,"mac":"[0-9a-f]{64}"/.exec(line)?.[0] ?? "")),
    fc.tuple(fc.nat(), fc.constantFrom(" ", "\n", ",", '"', "\\", "1", "}", '"mac":"0",')).map(
      ([at, text]) =>
        (line: string) =>
          putIn(line, at, text),
    ),
    fc.nat().map((at) => (line: string) => {
      const place = at % line.length;
      return line.slice(0, place) + line.slice(place + 1);
    }),
  );
  let records = 0;
  fc.assert(
    fc.property(body, fc.nat(), change, (record, seq, edit) => {
      const line = edit(sealRecord(mac, "previous", "c1", seq, record).line);
      const parsed = parsedRecord(line);
      if (parsed === undefined) return;
      records += 1;
      expect(sealedAfter(mac, "previous", parsed, line)).toBe(canonicalCheck("previous", parsed));
    }),
    { numRuns: 2000 },
  );
  // The property must have met records, not only lines the edits left unparseable.
  expect(records).toBeGreaterThan(500);
});

it("a sealed line written out again with its keys reordered and spaces added is still verified, on its canonical form", () => {
  const verifier = new LogVerifier("a-key-of-sixteen-chars", []);
  const header = sealRecord(mac, "", "c1", 0, { type: "header", mac_alg: "hmac-sha256", key_id: mac.keyId });
  const decision = sealRecord(mac, header.mac, "c1", 1, { type: "decision", outcome: "allow", context: { client: "a", route: "/x" } });
  const parsed = JSON.parse(decision.line) as Record<string, unknown>;
  const reordered = JSON.stringify(Object.fromEntries(Object.entries(parsed).reverse()), undefined, 1);
  const read: unknown[] = [];
  verifier.onRecord = (record) => read.push(record);
  verifier.line("log:1", header.line);
  verifier.line("log:2", reordered.replaceAll("\n", ""));
  const report = verifier.finish();
  expect(report.problems).toEqual([]);
  expect(read).toEqual([expect.objectContaining({ type: "header" }), parsed]);
});

it("a record whose MAC member is moved into its context is not read as the record its MAC sealed", () => {
  const verifier = new LogVerifier("a-key-of-sixteen-chars", []);
  const header = sealRecord(mac, "", "c1", 0, { type: "header", mac_alg: "hmac-sha256", key_id: mac.keyId });
  const decision = sealRecord(mac, header.mac, "c1", 1, { type: "decision", outcome: "allow", context: { client: "a" } });
  const member = `,"mac":"${decision.mac}"`;
  const moved = decision.line.replace(member, "").replace('"client":"a"', `"client":"a"${member}`);
  const next = sealRecord(mac, decision.mac, "c1", 2, { type: "decision", outcome: "allow", context: { client: "b" } });
  const read: unknown[] = [];
  verifier.onRecord = (record) => read.push(record);
  verifier.line("log:1", header.line);
  verifier.line("log:2", moved);
  verifier.line("log:3", next.line);
  const report = verifier.finish();
  expect(report.ok).toBe(false);
  expect(report.problems).toEqual([expect.objectContaining({ where: "log:3", what: "deleted" })]);
  expect(read).toHaveLength(1);
});
