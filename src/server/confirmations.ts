// The confirm → confirm_token flow over the API: tokens bound to the caller and the exact call, single use through the store.
import { createHash } from "node:crypto";
import { ConfirmTokens, type IssuedToken, type TokenCheck } from "../adapters/core/index.js";
import { canonicalJson, type JsonValue } from "../log/canonical.js";
import type { CounterStore } from "../stores/store.js";

/** What a token is bound to: who asked, and the call without its token and dry-run flag. */
export interface ConfirmSubject {
  readonly caller: string;
  readonly policy: string | readonly string[] | undefined;
  readonly context: JsonValue;
}

/**
 * Issues and redeems confirmation tokens for POST /v1/decisions, with the same expiry, single use and rejection
 * reasons as the HTTP adapters (the same token class underneath).
 * @example const confirmations = new Confirmations(secret, store, 300_000); confirmations.issue(subject, ["safe_delete"])
 */
export class Confirmations {
  readonly #tokens: ConfirmTokens;

  constructor(secret: string | Uint8Array, store: CounterStore, ttlMs: number) {
    this.#tokens = new ConfirmTokens({ secret, ttlMs, store, keyPrefix: "hexarch:confirm:" });
  }

  issue(subject: ConfirmSubject, policies: readonly string[]): IssuedToken {
    return this.#tokens.issue(bindingOf(subject), policies);
  }

  redeem(token: string, subject: ConfirmSubject): Promise<TokenCheck> {
    return this.#tokens.redeem(token, bindingOf(subject));
  }
}

function bindingOf(subject: ConfirmSubject): { method: string; target: string; bodyDigest: string; client: string } {
  const body = canonicalJson({
    policy: subject.policy === undefined ? null : typeof subject.policy === "string" ? subject.policy : [...subject.policy],
    context: subject.context,
  });
  return {
    method: "POST",
    target: "/v1/decisions",
    bodyDigest: createHash("sha256").update(body).digest("base64url"),
    client: subject.caller,
  };
}
