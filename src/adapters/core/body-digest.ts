// A digest of a request body that stays the same when the same body is sent again, whatever parsed it.
import { createHash } from "node:crypto";

function canonical(value: unknown, depth: number): string {
  if (depth > 64) return '"…"';
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((item) => canonical(item, depth + 1)).join(",")}]`;
  const keys = Object.keys(value).sort();
  const record = value as Record<string, unknown>;
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(record[key], depth + 1)}`).join(",")}}`;
}

/**
 * SHA-256 of a request body as base64url: raw bytes and strings are hashed as sent; a parsed body (JSON,
 * form) is hashed as JSON with sorted keys, so key order does not matter. No body hashes as the empty string.
 * @example bodyDigest({ b: 1, a: 2 }) === bodyDigest({ a: 2, b: 1 }) // true
 */
export function bodyDigest(body: unknown): string {
  const hash = createHash("sha256");
  if (body === undefined || body === null) hash.update("");
  else if (typeof body === "string" || body instanceof Uint8Array) hash.update(body);
  else hash.update(canonical(body, 0));
  return hash.digest("base64url");
}
