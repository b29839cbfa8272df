// Short signed decision ids, and what a decided call reserved on its budgets (kept in the store by ReservationBook).
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { toMicros } from "../engine/amount.js";
import { Decision } from "../engine/decision.js";
import type { Guardian } from "../guardian/create-guardian.js";
import type { GuardContext } from "../engine/context.js";
import type { CounterOp } from "../stores/store.js";

/** One budget counter a decision reserved points on. */
export interface ReservedOp extends CounterOp {
  readonly policy: string;
}

/** What a decision reserved: the counters, the model whose price turns a usage into a cost, and how long it waits. */
export interface ReservedCall {
  readonly ops: readonly ReservedOp[];
  readonly model: string | undefined;
  /** The shortest `reservation_ttl` of the rules reserved on, in ms; undefined waits until the budget's period ends. */
  readonly ttlMs: number | undefined;
}

/** An opened decision id: its nonce (the decision log's record id), and whether its decision reserved budget. */
export interface OpenedId {
  readonly nonce: string;
  readonly reserving: boolean;
}

const MAC_CHARS = 22;
/** The longest id there is: `d_`, a 16-character nonce, `.` and the MAC. */
export const MAX_ID_LENGTH = 2 + 16 + 1 + MAC_CHARS;
const NOTHING: ReservedCall = Object.freeze({ ops: [], model: undefined, ttlMs: undefined });
const ID_SHAPE = /^(d_[A-Za-z0-9_-]{16})(?:\.([A-Za-z0-9_-]{22}))?$/;

/**
 * What a decided call reserved: its estimate (`decision.reserved`) on each of its budget counters that kept it
 * (`decision.reservedCounters`: never a budget with a fixed `cost:`, which needs no settling, nor a shadow budget
 * the call went past, which gave the points back at once, so a settle cannot drain it), and the shortest
 * `reservation_ttl` of those rules, as the engine's own reservation expires. Nothing for a refused call or one that
 * reserved nothing.
 * @example reservedBy(guardian, decision, ctx, ["openai_budget"]).ops // [{ key: "hexarch:…", points: 2_000_000, windowMs, policy }]
 */
export function reservedBy(
  guardian: Guardian,
  decision: Decision,
  ctx: GuardContext,
  policyIds: readonly string[] | undefined,
): ReservedCall {
  const estimate = decision.reserved;
  if (estimate === undefined || decision.isDenied()) return NOTHING;
  const kept = new Set(decision.reservedCounters.map((counter) => counter.key));
  const ops: ReservedOp[] = [];
  let ttlMs: number | undefined;
  for (const slot of guardian.countersFor(ctx, policyIds)) {
    if (slot.kind !== "budget" || !kept.has(slot.key)) continue;
    const rule = guardian.policies.policies.get(slot.rule.policyId)?.rules[slot.rule.index]?.rule;
    if (rule === undefined || rule.spec.cost !== undefined) continue;
    ops.push({ key: slot.key, points: toMicros(estimate), windowMs: slot.windowMs, policy: slot.rule.policyId });
    const ttl = rule.reservationTtlMs;
    if (ttl !== undefined && (ttlMs === undefined || ttl < ttlMs)) ttlMs = ttl;
  }
  return ops.length === 0 ? NOTHING : { ops, model: ctx.model, ttlMs };
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
 * Issues and opens decision ids, at most MAX_ID_LENGTH characters whatever the call: `d_<nonce>` for a decision that
 * reserved nothing, `d_<nonce>.<mac>` for one that did, the MAC (this server's secret over the nonce) telling every
 * instance sharing the secret that it issued the id. What was reserved is kept in the store under the nonce
 * (ReservationBook), never in the id.
 * @example const ids = new DecisionIds(secret); const id = ids.issue(true); ids.open(id) // { nonce: "d_…", reserving: true }
 */
export class DecisionIds {
  readonly #secret: string | Uint8Array;
  readonly #origin = randomBytes(6);
  #issued = 0;

  constructor(secret: string | Uint8Array) {
    this.#secret = secret;
  }

  /** A fresh id; `reserving` adds the MAC that settling it asks for. */
  issue(reserving = false): string {
    const nonce = this.#nonce();
    return reserving ? `${nonce}.${this.#mac(nonce)}` : nonce;
  }

  /** The nonce of a genuine id and whether it reserved, else undefined (malformed, too long or forged). */
  open(id: string): OpenedId | undefined {
    if (id.length > MAX_ID_LENGTH) return undefined;
    const [, nonce, mac] = ID_SHAPE.exec(id) ?? [];
    if (nonce === undefined) return undefined;
    if (mac === undefined) return { nonce, reserving: false };
    const expected = Buffer.from(this.#mac(nonce));
    const given = Buffer.from(mac);
    return given.length === expected.length && timingSafeEqual(given, expected) ? { nonce, reserving: true } : undefined;
  }

  /**
   * `d_` and 16 base64url characters: 6 random bytes drawn once per issuer, then a 6-byte counter. Unique per process
   * and, with 48 random bits, across instances; drawing 12 random bytes per decision instead cost more than the
   * rest of the id (bench:serve, memory store). Guessing one is no use: settling a reservation takes its MAC and the
   * key that made the decision.
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
