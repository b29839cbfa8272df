// Signed, expiring, single-use confirmation tokens bound to one request: the 428 → repeat-with-token protocol.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { CounterStore } from "../../stores/store.js";

/** The request header that carries a confirmation token. */
export const CONFIRM_HEADER = "Hexarch-Confirm";

/** Longest token header accepted; anything longer is treated as absent. */
export const MAX_TOKEN_LENGTH = 1024;

const VERSION = "v2";
const POLICY_ID = /^[A-Za-z0-9_.-]{1,128}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** What a token is bound to: the same request from the same client. */
export interface ConfirmBinding {
  readonly method: string;
  /** Path and query string as received. */
  readonly target: string;
  /** `bodyDigest()` of the request body. */
  readonly bodyDigest: string;
  readonly client: string;
}

/** A token issued with a 428 answer. */
export interface IssuedToken {
  readonly token: string;
  /** Epoch milliseconds (whole) from which on the token confirms nothing: the `expires_at` its 428 announces. */
  readonly expiresAt: number;
  /** The policies the token confirms. */
  readonly policies: readonly string[];
}

/** Why a presented token confirmed nothing (it is then treated as absent). */
export type TokenRejection = "malformed" | "invalid" | "expired" | "used" | "unavailable";

/** The result of presenting a token: the confirmed policies, or why it was refused. */
export type TokenCheck =
  | { readonly ok: true; readonly policies: readonly string[] }
  | { readonly ok: false; readonly rejection: Exclude<TokenRejection, "unavailable"> }
  /** The token is genuine and unexpired, but the store could not record its use (an outage). */
  | { readonly ok: false; readonly rejection: "unavailable"; readonly policies: readonly string[] };

/** Settings of a token issuer. */
export interface ConfirmTokenOptions {
  /** HMAC-SHA256 key, at least 32 bytes of entropy recommended. */
  readonly secret: string | Uint8Array;
  /** Lifetime in milliseconds. */
  readonly ttlMs: number;
  /** Where single-use claims are recorded (the guardian's counter store). */
  readonly store: CounterStore;
  /** Prefix of claim keys in the store. */
  readonly keyPrefix: string;
  /** Clock in epoch milliseconds. Default: `Date.now`. */
  readonly clock?: () => number;
}

/**
 * Issues and checks confirmation tokens. A token is `v2.<expiry>.<nonce>.<policies>.<mac>`, the expiry in epoch
 * milliseconds (base 36): it is refused from the very millisecond its 428 announced as `expires_at`. The MAC covers
 * the payload and the request binding (method, path with query, body digest, client), so a token from another
 * request, another client or with a changed body fails the constant-time comparison. Each nonce can be claimed
 * once in the store: a replay is refused even across instances sharing a store.
 * @example
 * const tokens = new ConfirmTokens({ secret, ttlMs: 300_000, store, keyPrefix: "hexarch:confirm:" });
 * const { token } = tokens.issue(binding, ["safe_delete"]);
 * await tokens.redeem(token, binding); // { ok: true, policies: ["safe_delete"] }, then { ok: false, rejection: "used" }
 */
export class ConfirmTokens {
  readonly #secret: string | Uint8Array;
  readonly #ttlMs: number;
  readonly #store: CounterStore;
  readonly #keyPrefix: string;
  readonly #clock: () => number;

  constructor(options: ConfirmTokenOptions) {
    this.#secret = options.secret;
    this.#ttlMs = options.ttlMs;
    this.#store = options.store;
    this.#keyPrefix = options.keyPrefix;
    this.#clock = options.clock ?? (() => Date.now());
  }

  /** A fresh token confirming `policies` for exactly this request. */
  issue(binding: ConfirmBinding, policies: readonly string[]): IssuedToken {
    const expiresAt = Math.floor(this.#clock() + this.#ttlMs);
    const payload = `${VERSION}.${expiresAt.toString(36)}.${randomBytes(16).toString("base64url")}.${policies.join(",")}`;
    return { token: `${payload}.${this.#mac(payload, binding).toString("base64url")}`, expiresAt, policies };
  }

  /**
   * Checks a presented token against this request and claims it. Never throws: anything malformed, forged,
   * bound to another request, expired or already used is refused with the reason; a store that cannot record
   * the claim gives `unavailable` with the token's policies, for the caller to apply their fail mode.
   */
  async redeem(token: string, binding: ConfirmBinding): Promise<TokenCheck> {
    const parsed = parseToken(token);
    if (parsed === undefined) return { ok: false, rejection: "malformed" };
    const expected = this.#mac(parsed.payload, binding);
    if (parsed.mac.length !== expected.length || !timingSafeEqual(parsed.mac, expected)) return { ok: false, rejection: "invalid" };
    const remainingMs = parsed.expiresAt - this.#clock();
    if (remainingMs <= 0) return { ok: false, rejection: "expired" };
    let first: boolean;
    try {
      first = await this.#store.claimOnce(`${this.#keyPrefix}${parsed.nonce}`, remainingMs + 1000);
    } catch {
      return { ok: false, rejection: "unavailable", policies: parsed.policies };
    }
    return first ? { ok: true, policies: parsed.policies } : { ok: false, rejection: "used" };
  }

  #mac(payload: string, binding: ConfirmBinding): Buffer {
    return createHmac("sha256", this.#secret)
      .update(`${payload}\n${binding.method}\n${binding.target}\n${binding.bodyDigest}\n${binding.client}`)
      .digest();
  }
}

interface ParsedToken {
  readonly payload: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
  readonly nonce: string;
  readonly policies: readonly string[];
  readonly mac: Buffer;
}

function parseToken(token: string): ParsedToken | undefined {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return undefined;
  const parts = token.split(".");
  if (parts.length < 5 || parts[0] !== VERSION) return undefined;
  const macText = parts[parts.length - 1] as string;
  const expiryText = parts[1] as string;
  const nonce = parts[2] as string;
  const policyText = parts.slice(3, -1).join(".");
  if (!/^[0-9a-z]{1,12}$/.test(expiryText) || !BASE64URL.test(nonce) || !BASE64URL.test(macText)) return undefined;
  const policies = policyText.split(",");
  if (!policies.every((id) => POLICY_ID.test(id))) return undefined;
  const mac = Buffer.from(macText, "base64url");
  // One spelling per signature: base64url's last character has spare bits, which decoding ignores.
  if (mac.toString("base64url") !== macText) return undefined;
  return { payload: token.slice(0, token.length - macText.length - 1), expiresAt: Number.parseInt(expiryText, 36), nonce, policies, mac };
}
