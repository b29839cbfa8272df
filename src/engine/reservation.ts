// A call's reservation on its budgets: held until settled, released, or past its reservation_ttl; never settled twice.
import type { CounterOp, CounterStore } from "../stores/store.js";
import type { PendingCounter } from "./counters.js";
import { toMicros } from "./amount.js";
import type { Settler } from "./decision.js";

/** Suffix of the counter beside each budget counter that holds what is reserved and not yet settled. */
export const RESERVED_SUFFIX = ":reserved";

/** The store and where its failures go: what a reservation needs of the engine. */
export interface ReservationOptions {
  readonly store: CounterStore;
  readonly onStoreError: (error: unknown) => void;
}

/**
 * Budgets charged with a call's estimate. The estimate counts against each budget at once (so concurrent calls never
 * reserve past it) and also in a `…:reserved` counter beside it, which `hexarch budgets` reads as "reserved".
 * `settle(actual)` replaces the estimate with the actual cost and clears the reserved part, once; `settle(0)` releases
 * it. A reservation never settled keeps its estimate as spent and clears its reserved part when its `reservation_ttl`
 * passes (OpenReservations), or stays reserved until the budget's period ends.
 */
export class Reservation implements Settler {
  readonly #reserved: readonly PendingCounter[];
  readonly #options: ReservationOptions;
  readonly #open: OpenReservations | undefined;
  /** When the reservation counts as spent at its estimate (epoch ms), when its rules set a reservation_ttl. */
  readonly expiresAt: number | undefined;
  #done = false;

  constructor(reserved: readonly PendingCounter[], options: ReservationOptions, ttlMs: number | undefined, open: OpenReservations | undefined) {
    this.#reserved = reserved;
    this.#options = options;
    this.#open = ttlMs === undefined ? undefined : open;
    this.expiresAt = ttlMs === undefined ? undefined : Date.now() + ttlMs;
    this.#mark(true);
    this.#open?.add(this);
  }

  /** The estimate reserved on each budget, in the budget's unit. */
  get estimate(): number {
    return (this.#reserved[0]?.points ?? 0) / 1_000_000;
  }

  async settle(actual: number): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    this.#open?.delete(this);
    const { store, onStoreError } = this.#options;
    const extra: PendingCounter[] = [];
    const back: CounterOp[] = [];
    const actualMicros = toMicros(actual);
    for (const p of this.#reserved) {
      const delta = actualMicros - p.points;
      if (delta > 0) extra.push({ ...p, points: delta });
      else if (delta < 0) back.push({ ...p, points: -delta });
      back.push(reservedOp(p));
    }
    try {
      if (extra.length > 0) await store.consume(extra);
      await store.refund(back);
    } catch (error) {
      onStoreError(error);
    }
  }

  /** The reservation_ttl passed without a settle: the estimate stays spent, the reserved part is cleared. */
  expire(): void {
    if (this.#done) return;
    this.#done = true;
    this.#mark(false);
  }

  /** Adds the estimate to (or takes it from) the reserved counters; a failure is logged and changes no decision. */
  #mark(add: boolean): void {
    const { store, onStoreError } = this.#options;
    const ops = this.#reserved.map(reservedOp);
    try {
      if (add && store.consumeSync !== undefined) store.consumeSync(ops);
      else if (!add && store.refundSync !== undefined) store.refundSync(ops);
      else void (add ? store.consume(ops) : store.refund(ops)).catch(onStoreError);
    } catch (error) {
      onStoreError(error);
    }
  }
}

function reservedOp(p: PendingCounter): CounterOp {
  return { key: p.key + RESERVED_SUFFIX, points: p.points, windowMs: p.windowMs };
}

/** How often open reservations are checked against their reservation_ttl. */
const SWEEP_EVERY_MS = 1_000;

/**
 * Reservations with a reservation_ttl that are not settled yet. One timer per engine, running only while some are open
 * and never keeping the process alive, expires those past their ttl.
 */
export class OpenReservations {
  readonly #open = new Set<Reservation>();
  #timer: ReturnType<typeof setInterval> | undefined;

  add(reservation: Reservation): void {
    this.#open.add(reservation);
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.sweep(Date.now()), SWEEP_EVERY_MS);
    this.#timer.unref?.();
  }

  delete(reservation: Reservation): void {
    this.#open.delete(reservation);
    if (this.#open.size === 0) this.#stop();
  }

  /** Expires every reservation whose ttl has passed at `now`. */
  sweep(now: number): void {
    for (const reservation of this.#open) {
      if ((reservation.expiresAt ?? Number.POSITIVE_INFINITY) > now) continue;
      this.#open.delete(reservation);
      reservation.expire();
    }
    if (this.#open.size === 0) this.#stop();
  }

  /** Reservations still open. */
  get size(): number {
    return this.#open.size;
  }

  #stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
