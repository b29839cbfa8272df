// A call's reservation on its budgets: held until settled, released, or past its reservation_ttl; never settled twice.
import type { CounterOp, CounterStore } from "../stores/store.js";
import { toMicros } from "./amount.js";
import type { ReservedCounter, Settler } from "./decision.js";

/**
 * Suffix of the counter beside each budget counter that holds what settled reservations actually cost. What is
 * reserved and not yet settled is the budget counter less this one; the decision itself touches neither more.
 */
export const SETTLED_SUFFIX = ":settled";

/** The store and where its failures go: what a reservation needs of the engine. */
export interface ReservationOptions {
  readonly store: CounterStore;
  readonly onStoreError: (error: unknown) => void;
}

/**
 * Budgets charged with a call's estimate. The estimate counts against each budget at once, in the decision's own
 * store call (so concurrent calls never reserve past it). `settle(actual)` replaces the estimate with the actual cost,
 * once, and adds the actual cost to the `…:settled` counter beside each budget, which `hexarch budgets` reads as
 * "spent" (the rest of the budget counter is "reserved"); `settle(0)` releases it. A reservation never settled stays
 * reserved until its `reservation_ttl` passes (OpenReservations: it is then settled at its estimate), else until the
 * budget's period ends.
 */
export class Reservation<Op extends CounterOp = CounterOp> implements Settler {
  readonly #reserved: readonly Op[];
  readonly #policyOf: ((op: Op) => string) | undefined;
  readonly #options: ReservationOptions;
  readonly #open: OpenReservations | undefined;
  /** When the reservation counts as spent at its estimate (epoch ms), when its rules set a reservation_ttl. */
  readonly expiresAt: number | undefined;
  /** The instant of the call (the guardian's clock), at which its budgets were charged and are found again. */
  readonly #at: number | undefined;
  #done = false;

  /** `policyOf` names the policy of each op, for `counters`; without it, they name none. */
  constructor(
    reserved: readonly Op[],
    options: ReservationOptions,
    ttlMs: number | undefined,
    open: OpenReservations | undefined,
    at?: number,
    policyOf?: (op: Op) => string,
  ) {
    this.#reserved = reserved;
    this.#policyOf = policyOf;
    this.#at = at;
    this.#options = options;
    this.#open = ttlMs === undefined ? undefined : open;
    this.expiresAt = ttlMs === undefined ? undefined : Date.now() + ttlMs;
    this.#open?.add(this);
  }

  /** The estimate reserved on each budget, in the budget's unit. */
  get estimate(): number {
    return (this.#reserved[0]?.points ?? 0) / 1_000_000;
  }

  /** The budget counters holding the estimate (made when asked: the decision server's ids read them). */
  get counters(): readonly ReservedCounter[] {
    return this.#reserved.map((op) => ({ key: op.key, points: op.points, windowMs: op.windowMs, policyId: this.#policyOf?.(op) ?? "" }));
  }

  async settle(actual: number): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    this.#open?.delete(this);
    const { store, onStoreError } = this.#options;
    const added: CounterOp[] = [];
    const back: CounterOp[] = [];
    const actualMicros = toMicros(actual);
    for (const p of this.#reserved) {
      const delta = actualMicros - p.points;
      if (delta > 0) added.push({ ...p, points: delta });
      else if (delta < 0) back.push({ ...p, points: -delta });
      if (actualMicros > 0) added.push(settledOp(p, actualMicros));
    }
    try {
      if (added.length > 0) await store.consume(added, this.#at);
      if (back.length > 0) await store.refund(back, this.#at);
    } catch (error) {
      onStoreError(error);
    }
  }

  /** Never settles, and leaves the reservation_ttl timer: the counters stay as reserved, for another keeper to settle. */
  handOver(): void {
    this.#done = true;
    this.#open?.delete(this);
  }

  /** The reservation_ttl passed without a settle: it is settled at its estimate. */
  expire(): void {
    if (this.#done) return;
    const estimate = this.estimate;
    void this.settle(estimate);
  }
}

function settledOp(p: CounterOp, micros: number): CounterOp {
  return { key: p.key + SETTLED_SUFFIX, points: micros, windowMs: p.windowMs };
}

/** What the sweep needs of a reservation. */
interface Expiring {
  readonly expiresAt: number | undefined;
  expire(): void;
}

/** How often open reservations are checked against their reservation_ttl. */
const SWEEP_EVERY_MS = 1_000;

/**
 * Reservations with a reservation_ttl that are not settled yet. One timer per engine, running only while some are open
 * and never keeping the process alive, expires those past their ttl.
 */
export class OpenReservations {
  readonly #open = new Set<Expiring>();
  #timer: ReturnType<typeof setInterval> | undefined;

  add(reservation: Expiring): void {
    this.#open.add(reservation);
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.sweep(Date.now()), SWEEP_EVERY_MS);
    this.#timer.unref?.();
  }

  delete(reservation: Expiring): void {
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
