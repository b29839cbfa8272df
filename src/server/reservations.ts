// Reservations the decision server holds: kept in the store under the decision's nonce, settled once, by their own key.
import type { Decision } from "../engine/decision.js";
import { Reservation } from "../engine/reservation.js";
import type { CounterStore } from "../stores/store.js";
import type { Caller } from "./api-keys.js";
import type { DecisionIds, OpenedId, ReservedCall, ReservedOp } from "./reservation-id.js";

/** Prefix of the store texts that hold a reservation's details, by the decision's nonce. */
const HELD_PREFIX = "hexarch:reservation:";
/** How often reservations held here are checked against their reservation_ttl (as often as the engine does). */
const SWEEP_EVERY_MS = 1_000;
/** Prefix of the store keys that record a settlement, so a second settle of the same id is refused on every instance. */
const SETTLED_PREFIX = "hexarch:settled:";

/** A reservation as kept in the store: who made it, what it reserved, and until when a settle counts. */
interface HeldText {
  readonly owner: string;
  readonly ops: readonly (readonly [key: string, points: number, windowMs: number, policy: string])[];
  readonly model?: string | undefined;
  /** Epoch ms after which a settle is ignored (the reservation counts as spent at its estimate); absent: none. */
  readonly until?: number | undefined;
}

/** A reservation found by its id, before it is settled. */
export interface HeldReservation {
  readonly nonce: string;
  readonly ops: readonly ReservedOp[];
  readonly model: string | undefined;
  /** How long its settlement claim is kept: its longest budget period, in ms. */
  readonly lifetimeMs: number;
}

/** What an id names for a caller: nothing this server issued, nothing to settle, or a reservation the caller may settle. */
export type Lookup =
  | { readonly kind: "unknown" }
  | { readonly kind: "nothing-reserved" | "expired" | "not-yours"; readonly nonce: string }
  | { readonly kind: "held"; readonly held: HeldReservation };

/** The answer to a settle by a key that neither made the decision nor is an admin key. */
export const NOT_YOURS = "this decision was made with another API key: settle it with that key, or with an admin key";

/** What a settle did. */
export type SettleResult = "settled" | "already-settled";

/**
 * Holds the reservations decisions make, in the counter store, so that any instance sharing the store (and the
 * secret, for ids) can settle one: the id stays `d_<nonce>.<mac>` however many budgets and however long the keys. A
 * reservation is settled once, only by the key that made the decision or an admin key, and only until its
 * `reservation_ttl`; then the instance that holds it counts it as spent at its estimate, unless a settle came first.
 * @example const id = await book.hold(caller, decision, reservedBy(guardian, decision, ctx, ids)); await book.find(id, caller)
 */
export class ReservationBook {
  readonly #store: CounterStore;
  readonly #ids: DecisionIds;
  readonly #putText: NonNullable<CounterStore["putText"]>;
  readonly #getText: NonNullable<CounterStore["getText"]>;
  readonly #onStoreError: (error: unknown) => void;
  /** Reservations held here with a reservation_ttl, by nonce: when it passes, each is counted as spent at its estimate. */
  readonly #expiring = new Map<string, { readonly until: number; readonly ops: readonly ReservedOp[] }>();
  #sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(store: CounterStore, ids: DecisionIds, onStoreError: (error: unknown) => void = () => undefined) {
    if (store.putText === undefined || store.getText === undefined)
      throw new TypeError(`the ${store.name} store cannot keep reservations (it has no putText/getText); use the memory or Redis store`);
    this.#store = store;
    this.#ids = ids;
    this.#putText = store.putText.bind(store);
    this.#getText = store.getText.bind(store);
    this.#onStoreError = onStoreError;
  }

  /**
   * Issues the id of `decision`, made by `owner`, keeping what it reserved (when anything) in the store first, so that
   * an id handed out can always be settled. When the store fails, the reservation is released and the failure rejects.
   */
  async hold(owner: Caller, decision: Decision, reserved: ReservedCall | undefined, now: number = Date.now()): Promise<string> {
    if (reserved === undefined || reserved.ops.length === 0) return this.#ids.issue(false);
    const id = this.#ids.issue(true);
    const held: HeldText = {
      owner: owner.id,
      ops: reserved.ops.map((op) => [op.key, op.points, op.windowMs, op.policy] as const),
      model: reserved.model,
      until: reserved.ttlMs === undefined ? undefined : now + reserved.ttlMs,
    };
    const lifetime = reserved.ttlMs ?? Math.max(...reserved.ops.map((op) => op.windowMs));
    const nonce = nonceOf(id);
    try {
      await this.#putText(`${HELD_PREFIX}${nonce}`, JSON.stringify(held), lifetime);
    } catch (error) {
      await decision.release().catch(() => undefined);
      throw error;
    }
    // The book settles it from now on, on whichever instance is asked: the engine's own timer must not settle it again.
    decision.handOver();
    if (held.until !== undefined) this.#expireAt(nonce, held.until, reserved.ops);
    return id;
  }

  /** What `id` names for `caller`: checked against the MAC, the reservation's owner and its reservation_ttl. */
  async find(id: string, caller: Caller, now: number = Date.now()): Promise<Lookup> {
    const opened: OpenedId | undefined = this.#ids.open(id);
    if (opened === undefined) return { kind: "unknown" };
    const { nonce } = opened;
    if (!opened.reserving) return { kind: "nothing-reserved", nonce };
    const text = await this.#getText(`${HELD_PREFIX}${nonce}`);
    // Gone from the store: its reservation_ttl or its budget period is over, and so is the reservation.
    if (text === undefined) return { kind: "expired", nonce };
    const held = JSON.parse(text) as HeldText;
    if (held.owner !== caller.id && !caller.scopes.includes("admin")) return { kind: "not-yours", nonce };
    if (held.until !== undefined && held.until <= now) return { kind: "expired", nonce };
    const ops = held.ops.map(([key, points, windowMs, policy]) => ({ key, points, windowMs, policy }));
    // The claim outlives the reservation, so a settle and the expiry racing at reservation_ttl cannot both count.
    const lifetimeMs = Math.max(...ops.map((op) => op.windowMs));
    return { kind: "held", held: { nonce, ops, model: held.model, lifetimeMs } };
  }

  /**
   * Replaces the estimate with the actual cost on every counter reserved (the engine's own Reservation does the
   * arithmetic), once across every instance sharing the store: the claim is recorded there. A store failure rejects.
   */
  async settle(held: HeldReservation, actualCost: number): Promise<SettleResult> {
    if (!(await this.#store.claimOnce(`${SETTLED_PREFIX}${held.nonce}`, held.lifetimeMs))) return "already-settled";
    this.#expiring.delete(held.nonce);
    let failure: Error | undefined;
    const onStoreError = (error: unknown): void => void (failure = error instanceof Error ? error : new Error(String(error)));
    await new Reservation(held.ops, { store: this.#store, onStoreError }, undefined, undefined).settle(actualCost);
    if (failure !== undefined) throw failure;
    return "settled";
  }

  /** Stops the reservation_ttl timer (the server is closing); reservations not yet expired stay reserved. */
  close(): void {
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }

  /** Watches a reservation held here until `until`; one timer for all, running only while some wait, never keeping the process up. */
  #expireAt(nonce: string, until: number, ops: readonly ReservedOp[]): void {
    this.#expiring.set(nonce, { until, ops });
    if (this.#sweeper !== undefined) return;
    this.#sweeper = setInterval(() => this.#sweep(Date.now()), SWEEP_EVERY_MS);
    this.#sweeper.unref?.();
  }

  /**
   * Counts each reservation whose reservation_ttl has passed as spent at its estimate, unless a settle claimed it first
   * (on any instance): the budget keeps the estimate, and `…:settled` gains it, as the engine does in process.
   */
  #sweep(now: number): void {
    for (const [nonce, { until, ops }] of this.#expiring) {
      if (until > now) continue;
      this.#expiring.delete(nonce);
      const longest = Math.max(...ops.map((op) => op.windowMs));
      const estimate = (ops[0]?.points ?? 0) / 1_000_000;
      const spend = async (): Promise<void> => {
        if (!(await this.#store.claimOnce(`${SETTLED_PREFIX}${nonce}`, longest))) return;
        await new Reservation(ops, { store: this.#store, onStoreError: this.#onStoreError }, undefined, undefined).settle(estimate);
      };
      spend().catch(this.#onStoreError);
    }
    if (this.#expiring.size === 0) this.close();
  }
}

/**
 * The nonce of an id: the decision log's record id.
 * @example nonceOf("d_AAAAAAAAAAAAAAAB.x3…") // "d_AAAAAAAAAAAAAAAB"
 */
export function nonceOf(id: string): string {
  return id.split(".", 1)[0] as string;
}
