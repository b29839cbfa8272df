// Decision ids that carry their budget reservation, signed: any instance sharing the secret and store can settle them once.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { Decision } from "../engine/decision.js";
import type { Guardian } from "../guardian/create-guardian.js";
import type { GuardContext } from "../engine/context.js";
import { Reservation } from "../engine/reservation.js";
import type { CounterOp, CounterStore } from "../stores/store.js";

/** One budget counter a decision reserved points on. */
export interface ReservedOp extends CounterOp {
  readonly policy: string;
}

/** What a decision reserved: the counters, and the model whose price turns a usage into a cost at settle time. */
export interface ReservedCall {
  readonly ops: readonly ReservedOp[];
  readonly model: string | undefined;
}

/** An opened decision id: its nonce (the decision log's record id) and what it reserved. */
export interface OpenedId extends ReservedCall {
  readonly nonce: string;
}

/** Prefix of the store keys that record a settlement, so a second settle of the same id is refused on every instance. */
const SETTLED_PREFIX = "hexarch:settled:";
const MAC_CHARS = 22;
const NOTHING: ReservedCall = Object.freeze({ ops: [], model: undefined });

/**
 * What a decided call reserved: the budget counters that kept its estimate (`decision.reservedCounters`: never a
 * shadow budget that gave the points back, so a settle cannot drain it). Nothing for a refused call or one that
 * reserved nothing.
 * @example reservedBy(decision, ctx).ops // [{ key: "hexarch:…", points: 2_000_000, windowMs, policy }]
 */
export function reservedBy(decision: Decision, ctx: GuardContext): ReservedCall {
  if (decision.isDenied() || decision.reservedCounters.length === 0) return NOTHING;
  const ops = decision.reservedCounters.map(({ key, points, windowMs, policyId }) => ({ key, points, windowMs, policy: policyId }));
  return { ops, model: ctx.model };
}

/**
 * The budget counters a call with this cost would be charged on (every budget it falls under, but those with a fixed
 * `cost:`, which the decision charged), at that cost: what a provider-call event adds.
 * @example chargesFor(guardian, { resource: "openai", cost: 0.4 }, undefined)
 */
export function chargesFor(guardian: Guardian, ctx: GuardContext, policyIds: readonly string[] | undefined, cost: number): CounterOp[] {
  const ops: CounterOp[] = [];
  for (const slot of guardian.countersFor(ctx, policyIds)) {
    const rule = guardian.policies.policies.get(slot.rule.policyId)?.rules[slot.rule.index]?.rule;
    if (slot.kind === "budget" && rule?.spec.cost === undefined)
      ops.push({ key: slot.key, points: slot.points(cost), windowMs: slot.windowMs });
  }
  return ops;
}

/**
 * The cost of a provider's usage object for `model` at the policy file's `prices:`, as Decision.settle(usage) prices
 * it; an Error saying why when the model has no price or the usage is not one.
 * @example usageCost(guardian, "gpt-4o", { prompt_tokens: 1000, completion_tokens: 500 }) // 0.0075
 */
export function usageCost(guardian: Guardian, model: string | undefined, usage: Record<string, unknown>): number | Error {
  const price = model === undefined ? undefined : guardian.policies.prices.lookup(model);
  return new Decision({ outcome: "allow", reason: "settlement", price }).costOf(usage);
}

/**
 * Issues and opens decision ids. An id with nothing reserved is `d_<nonce>`; one with a reservation adds the
 * reserved counters (and the call's model) and an HMAC over them, so the id alone tells any instance what to settle,
 * and cannot be forged to move other counters.
 * @example const ids = new DecisionIds(secret); const id = ids.issue({ ops: [], model: undefined }); ids.open(id)?.nonce
 */
export class DecisionIds {
  readonly #secret: string | Uint8Array;
  readonly #origin = randomBytes(6);
  #issued = 0;

  constructor(secret: string | Uint8Array) {
    this.#secret = secret;
  }

  /** A fresh id carrying `reserved`. */
  issue(reserved: ReservedCall = NOTHING): string {
    const nonce = this.#nonce();
    if (reserved.ops.length === 0) return nonce;
    const rows = reserved.ops.map((op) => [op.key, op.points, op.windowMs, op.policy]);
    const payload = Buffer.from(JSON.stringify({ r: rows, m: reserved.model })).toString("base64url");
    return `${nonce}.${payload}.${this.#mac(`${nonce}.${payload}`)}`;
  }

  /** The nonce and reservation of a genuine id, else undefined (malformed or forged). */
  open(id: string): OpenedId | undefined {
    const [nonce, payload, mac, ...rest] = id.split(".");
    if (nonce === undefined || !/^d_[A-Za-z0-9_-]{16}$/.test(nonce) || rest.length > 0) return undefined;
    if (payload === undefined) return { nonce, ...NOTHING };
    if (mac === undefined || !/^[A-Za-z0-9_-]+$/.test(payload)) return undefined;
    const expected = Buffer.from(this.#mac(`${nonce}.${payload}`));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    // Signed by this server's secret: the payload is what issue() wrote.
    const { r, m } = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as {
      r: [string, number, number, string][];
      m?: string;
    };
    return { nonce, model: m, ops: r.map(([key, points, windowMs, policy]) => ({ key, points, windowMs, policy })) };
  }

  /**
   * `d_` and 16 base64url characters: 6 random bytes drawn once per issuer, then a 6-byte counter. Unique per process
   * and, with 48 random bits, across instances; drawing 12 random bytes per decision instead cost more than the
   * rest of the id (bench:serve, memory store). Guessing one is no use: settling a reservation takes its MAC.
   */
  #nonce(): string {
    this.#issued += 1;
    const bytes = Buffer.allocUnsafe(12);
    this.#origin.copy(bytes, 0);
    bytes.writeUIntBE(this.#issued, 6, 6);
    return `d_${bytes.toString("base64url")}`;
  }

  #mac(text: string): string {
    return createHmac("sha256", this.#secret).update(text).digest("base64url").slice(0, MAC_CHARS);
  }
}

/** What a settle did. */
export type SettleResult = "settled" | "already-settled" | "nothing-reserved";

/**
 * Replaces a reservation's estimate with the actual cost on every counter it reserved (the engine's own Reservation
 * does the arithmetic), once across every instance sharing `store` (the claim is recorded there). A store failure rejects.
 * @example await settleReservation(store, opened, 0.37) // "settled"
 */
export async function settleReservation(store: CounterStore, opened: OpenedId, actualCost: number): Promise<SettleResult> {
  if (opened.ops.length === 0) return "nothing-reserved";
  const longest = Math.max(...opened.ops.map((op) => op.windowMs));
  if (!(await store.claimOnce(`${SETTLED_PREFIX}${opened.nonce}`, longest))) return "already-settled";
  let failure: Error | undefined;
  const onStoreError = (error: unknown): void => void (failure = error instanceof Error ? error : new Error(String(error)));
  await new Reservation(opened.ops, { store, onStoreError }, undefined, undefined).settle(actualCost);
  if (failure !== undefined) throw failure;
  return "settled";
}
