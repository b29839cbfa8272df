// MACs for the chain, checkpoints and redaction: HMAC-SHA256 with HEXARCH_LOG_KEY, else plain SHA-256.
import { createHash, createHmac } from "node:crypto";

/** `hmac-sha256` when a key is set (catches forgery); `sha256` otherwise (catches accidents, not attackers). */
export type MacAlgorithm = "hmac-sha256" | "sha256";

/** Computes the chain's MACs with one key (or none). */
export interface LogMac {
  readonly algorithm: MacAlgorithm;
  /** A short fingerprint of the key, written in each chain's header so `verify` can tell a wrong key from an edit. */
  readonly keyId: string | undefined;
  /** The MAC of a record: over the previous record's MAC and this record's canonical text. */
  chain(previous: string, canonical: string): string;
  /** The MAC of a standalone text (checkpoints). */
  sign(canonical: string): string;
}

function hmacHex(key: string, ...parts: string[]): string {
  const mac = createHmac("sha256", key);
  for (const part of parts) mac.update(part);
  return mac.digest("hex");
}

function sha256Hex(...parts: string[]): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return hash.digest("hex");
}

/**
 * The MAC functions for `key` (HEXARCH_LOG_KEY), or plain SHA-256 when there is none.
 * @example logMac(process.env["HEXARCH_LOG_KEY"]).chain("", '{"seq":0}')
 */
export function logMac(key: string | undefined): LogMac {
  if (key === undefined || key === "") {
    return {
      algorithm: "sha256",
      keyId: undefined,
      chain: (previous, canonical) => sha256Hex(previous, "\n", canonical),
      sign: (canonical) => sha256Hex(canonical),
    };
  }
  return {
    algorithm: "hmac-sha256",
    keyId: hmacHex(key, "hexarch log key id").slice(0, 16),
    chain: (previous, canonical) => hmacHex(key, previous, "\n", canonical),
    sign: (canonical) => hmacHex(key, "checkpoint\n", canonical),
  };
}

/**
 * A keyed hash for a personal field: equal values give equal hashes (still joinable), and without the key they cannot be guessed back.
 * @example const hide = redactor(key); hide("203.0.113.9") // "h:5f1c…"
 */
export function redactor(key: string): (value: string) => string {
  const derived = hmacHex(key, "hexarch redaction key");
  return (value) => `h:${hmacHex(derived, value).slice(0, 32)}`;
}
