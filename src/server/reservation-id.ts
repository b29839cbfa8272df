// Decision ids that carry their budget reservation, signed: any instance sharing the secret and store can settle them once.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { toMicros } from "../engine/amount.js";
import type { CounterSlot } from "../engine/engine.js";
import type { Guardian } from "../guardian/create-guardian.js";
import type { GuardContext } from "../engine/context.js";
import type { CounterOp, CounterStore } from "../stores/store.js";

/** One budget counter a decision reserved points on. */
export interface ReservedOp extends CounterOp {
  readonly policy: string;
}

/** An opened decision id: its nonce (the decision log's record id) and what it reserved. */
export interface OpenedId {
  readonly nonce: string;
  readonly reserved: readonly ReservedOp[];
}

/** Prefix of the store keys that record a settlement, so a second settle of the same id is refused on every instance. */
const SETTLED_PREFIX = "hexarch:settled:";
const MAC_CHARS = 22;

/**
 * The budgets a decided call reserved its estimate on: the call's budget counters whose rule has no fixed `cost:`
 * (a fixed cost needs no settling), at the points the estimate came to.
 * @example reservedBy(guardian, ctx, ["openai_budget"]) // [{ key: "hexarch:…", points: 2_000_000, windowMs, policy }]
 */
export function reservedBy(guardian: Guardian, ctx: GuardContext, policyIds: readonly string[] | undefined): ReservedOp[] {
  const slots: readonly CounterSlot[] = guardian.countersFor(ctx, policyIds);
  const out: ReservedOp[] = [];
  for (const slot of slots) {
    if (slot.kind !== "budget") continue;
    const rule = guardian.policies.policies.get(slot.rule.policyId)?.rules[slot.rule.index]?.rule;
    if (rule === undefined || rule.spec.cost !== undefined) continue;
    out.push({ key: slot.key, points: slot.points(ctx.cost ?? 1), windowMs: slot.windowMs, policy: slot.rule.policyId });
  }
  return out;
}

/**
 * Issues and opens decision ids. An id with nothing reserved is `d_<nonce>`; one with a reservation adds the
 * reserved counters and an HMAC over them, so the id alone tells any instance what to settle, and cannot be forged
 * to move other counters.
 * @example const ids = new DecisionIds(secret); const id = ids.issue([]); ids.open(id)?.nonce
 */
export class DecisionIds {
  readonly #secret: string | Uint8Array;

  constructor(secret: string | Uint8Array) {
    this.#secret = secret;
  }

  /** A fresh id carrying `reserved`. */
  issue(reserved: readonly ReservedOp[]): string {
    const nonce = `d_${randomBytes(12).toString("base64url")}`;
    if (reserved.length === 0) return nonce;
    const payload = Buffer.from(JSON.stringify(reserved.map((op) => [op.key, op.points, op.windowMs, op.policy]))).toString("base64url");
    return `${nonce}.${payload}.${this.#mac(`${nonce}.${payload}`)}`;
  }

  /** The nonce and reservation of a genuine id, else undefined (malformed or forged). */
  open(id: string): OpenedId | undefined {
    const [nonce, payload, mac, ...rest] = id.split(".");
    if (nonce === undefined || !/^d_[A-Za-z0-9_-]{16}$/.test(nonce) || rest.length > 0) return undefined;
    if (payload === undefined) return { nonce, reserved: [] };
    if (mac === undefined || !/^[A-Za-z0-9_-]+$/.test(payload)) return undefined;
    const expected = Buffer.from(this.#mac(`${nonce}.${payload}`));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const rows = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as [string, number, number, string][];
    return { nonce, reserved: rows.map(([key, points, windowMs, policy]) => ({ key, points, windowMs, policy })) };
  }

  #mac(text: string): string {
    return createHmac("sha256", this.#secret).update(text).digest("base64url").slice(0, MAC_CHARS);
  }
}

/** What a settle did. */
export type SettleResult = "settled" | "already-settled" | "nothing-reserved";

/**
 * Replaces a reservation's estimate with the actual cost on every counter it reserved, once across every instance
 * sharing `store` (the claim is recorded there).
 * @example await settleReservation(store, opened, 0.37) // "settled"
 */
export async function settleReservation(store: CounterStore, opened: OpenedId, actualCost: number): Promise<SettleResult> {
  if (opened.reserved.length === 0) return "nothing-reserved";
  const longest = Math.max(...opened.reserved.map((op) => op.windowMs));
  if (!(await store.claimOnce(`${SETTLED_PREFIX}${opened.nonce}`, longest))) return "already-settled";
  const actual = toMicros(actualCost);
  const extra: CounterOp[] = [];
  const back: CounterOp[] = [];
  for (const op of opened.reserved) {
    const delta = actual - op.points;
    if (delta > 0) extra.push({ key: op.key, points: delta, windowMs: op.windowMs });
    else if (delta < 0) back.push({ key: op.key, points: -delta, windowMs: op.windowMs });
  }
  if (extra.length > 0) await store.consume(extra);
  if (back.length > 0) await store.refund(back);
  return "settled";
}
