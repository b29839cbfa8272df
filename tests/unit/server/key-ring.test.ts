// KeyRing remembers the bytes of a token that verified, so later requests skip its hash: a remembered token must
// answer exactly as its hash did, and no other token may pass for it.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createKey, KeyRing, readKeys } from "../../../src/server/api-keys.js";

function ringWithKey(devToken?: string): { ring: KeyRing; key: string; id: string } {
  const path = join(mkdtempSync(join(tmpdir(), "hexarch-key-ring-")), "hexarch.keys.json");
  const { key, stored } = createKey(path, "app", ["decide"]);
  return { ring: new KeyRing(readKeys(path), devToken), key, id: stored.id };
}

describe("a KeyRing's remembered tokens", () => {
  it("names the same caller for a key on its first and later uses, and records each use", () => {
    const { ring, key, id } = ringWithKey();
    const first = ring.identify(key, 1_000);
    const again = ring.identify(key, 2_000);
    expect(first).toEqual({ id, name: "app", scopes: ["decide"] });
    expect(again).toEqual(first);
    expect(ring.lastUsed.get(id)).toBe(2_000);
  });

  it("refuses a token with a remembered key's id and other secret bytes, before and after the key was used", () => {
    const { ring, key } = ringWithKey();
    const forged = `${key.slice(0, -1)}${key.endsWith("A") ? "B" : "A"}`;
    expect(ring.identify(forged)).toBeUndefined();
    expect(ring.identify(key)).toBeDefined();
    expect(ring.identify(forged)).toBeUndefined();
    expect(ring.identify(key.slice(0, -1))).toBeUndefined();
    expect(ring.identify(`${key}\u0000`)).toBeUndefined();
  });

  it("knows the dev token and nothing that only starts like it or pads it", () => {
    const { ring } = ringWithKey("dev-token-for-tests");
    expect(ring.identify("dev-token-for-tests")).toEqual({ id: "dev-token", name: "dev token", scopes: ["decide", "admin"] });
    expect(ring.identify("dev-token-for-test")).toBeUndefined();
    expect(ring.identify("dev-token-for-tests\u0000")).toBeUndefined();
    expect(ring.identify("")).toBeUndefined();
  });

  it("checks a dev token too long to remember by its hash, and still knows it", () => {
    const long = "t".repeat(300);
    const { ring } = ringWithKey(long);
    expect(ring.identify(long)?.id).toBe("dev-token");
    expect(ring.identify(`${long}u`)).toBeUndefined();
  });

  it("forgets every remembered key with the ring: a ring read again after a revocation refuses the key", () => {
    const path = join(mkdtempSync(join(tmpdir(), "hexarch-key-ring-")), "hexarch.keys.json");
    const { key } = createKey(path, "app", ["decide"]);
    expect(new KeyRing(readKeys(path), undefined).identify(key)).toBeDefined();
    const revoked = readKeys(path).map((k) => ({ ...k, revoked_at: new Date().toISOString() }));
    expect(new KeyRing(revoked, undefined).identify(key)).toBeUndefined();
  });
});
