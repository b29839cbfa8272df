// The chain's MACs are a format: logs written by any version must verify with any other, so each MAC is pinned to its
// definition, computed here the plain way with node:crypto.
import { createHash, createHmac } from "node:crypto";
import fc from "fast-check";
import { expect, it } from "vitest";
import { logMac, redactor } from "../../../src/log/mac.js";

const PREVIOUS = "f8da44441336eafa6260199ddaf0bd2f03afef7d0d671a4d48338cb92914da29";
const TEXT = '{"chain":"c1","reason":"naïve \u2028 ünïcode","seq":3}';

it("does not change what a record's MAC is over: SHA-256 of the previous MAC, a newline and the canonical text", () => {
  const mac = logMac(undefined);
  expect(mac.chain(PREVIOUS, TEXT)).toBe(createHash("sha256").update(`${PREVIOUS}\n${TEXT}`, "utf8").digest("hex"));
  expect(mac.sign(TEXT)).toBe(createHash("sha256").update(TEXT, "utf8").digest("hex"));
});

it("does not change the keyed MACs, the key id or the redaction hashes for a key given as text", () => {
  const key = "κλειδί-of-the-log-0123";
  const hmac = (k: string | Buffer, text: string): string => createHmac("sha256", k).update(text, "utf8").digest("hex");
  const mac = logMac(key);
  expect(mac.chain(PREVIOUS, TEXT)).toBe(hmac(key, `${PREVIOUS}\n${TEXT}`));
  expect(mac.sign(TEXT)).toBe(hmac(key, `checkpoint\n${TEXT}`));
  expect(mac.keyId).toBe(hmac(key, "hexarch log key id").slice(0, 16));
  expect(redactor(key)("203.0.113.9")).toBe(`h:${hmac(hmac(key, "hexarch redaction key"), "203.0.113.9").slice(0, 32)}`);
});

it("does not compute a keyed record MAC other than as HMAC-SHA256 does, for any key and text (long, short, non-ASCII, lone surrogates)", () => {
  const text = fc.oneof(
    fc.string({ unit: "binary", maxLength: 300 }),
    fc.constantFrom("\ud800", "a\udfffb", "\u2028", "😀".repeat(900)),
    // Longer than the buffer the MAC starts with (4 KiB) and than the one it keeps (64 KiB): each must carry the pad.
    fc.nat({ max: 50_000 }).map((length) => "é".repeat(length)),
  );
  // Keys shorter than, equal to and longer than SHA-256's 64-byte block (a longer one is hashed first).
  const key = fc.oneof(
    fc.string({ unit: "binary", minLength: 1, maxLength: 100 }),
    fc.constantFrom("k".repeat(64), "k".repeat(65), "ключ".repeat(9)),
  );
  fc.assert(
    fc.property(
      key,
      fc.array(fc.tuple(fc.string({ unit: "binary", maxLength: 70 }), text), { minLength: 1, maxLength: 4 }),
      (secret, calls) => {
        const mac = logMac(secret);
        for (const [previous, canonical] of calls) {
          expect(mac.chain(previous, canonical)).toBe(
            createHmac("sha256", secret).update(`${previous}\n${canonical}`, "utf8").digest("hex"),
          );
        }
      },
    ),
    { numRuns: 200 },
  );
});
