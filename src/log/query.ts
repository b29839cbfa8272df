// Filters decision records and sums them up: counts per policy and outcome, and budget spent per period.
import { redactor } from "./mac.js";

/** What `hexarch log query` selects. Every field is optional; a record must match all that are given. */
export interface RecordFilter {
  readonly policy?: string | undefined;
  readonly outcome?: string | undefined;
  readonly kind?: string | undefined;
  readonly client?: string | undefined;
  readonly user?: string | undefined;
  /** Epoch ms, inclusive. */
  readonly since?: number | undefined;
  /** Epoch ms, exclusive. */
  readonly until?: number | undefined;
}

/** A decision record as read back. */
export interface DecisionEntry {
  readonly type: "decision";
  readonly time: string;
  readonly outcome: string;
  readonly policy?: string;
  readonly kind?: string;
  readonly reason: string;
  readonly counters?: readonly { policy: string; kind: string; window: string; used: number; limit: number; partition: string }[];
  readonly context?: { readonly client?: string; readonly user?: string; readonly route?: string; readonly method?: string };
}

/**
 * A test for decision records. Redacted fields (`h:…`) match a raw `client`/`user` when `key` (HEXARCH_LOG_KEY) is given.
 * @example const keep = recordMatcher({ outcome: "deny" }, undefined); keep(JSON.parse(line))
 */
export function recordMatcher(filter: RecordFilter, key: string | undefined): (record: unknown) => record is DecisionEntry {
  const hide = key === undefined || key === "" ? undefined : redactor(key);
  const same = (written: string | undefined, wanted: string | undefined): boolean =>
    wanted === undefined || written === wanted || (written !== undefined && written.startsWith("h:") && hide?.(wanted) === written);
  return (record: unknown): record is DecisionEntry => {
    if (record === null || typeof record !== "object" || (record as { type?: unknown }).type !== "decision") return false;
    const entry = record as DecisionEntry;
    if (filter.policy !== undefined && entry.policy !== filter.policy) return false;
    if (filter.outcome !== undefined && entry.outcome !== filter.outcome) return false;
    if (filter.kind !== undefined && entry.kind !== filter.kind) return false;
    if (!same(entry.context?.client, filter.client) || !same(entry.context?.user, filter.user)) return false;
    const at = Date.parse(entry.time);
    if (filter.since !== undefined && at < filter.since) return false;
    return filter.until === undefined || at < filter.until;
  };
}

/** Counts per policy and outcome, and the budget spent per policy and period. */
export interface RecordSummary {
  /** policy (or `-` for allowed calls no policy decided) → outcome → count. */
  readonly outcomes: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** `policy period` (e.g. `api_budget 2026-11`) → amount spent, as counted when each call was decided. */
  readonly spent: ReadonlyMap<string, number>;
}

/** The period a budget counter's window names, for a record's time. */
function periodOf(window: string, time: string): string {
  return window === "month" ? time.slice(0, 7) : time.slice(0, 10);
}

/** Adds up decision records for `--summary`; feed them with `add` and read the totals from `summary`. */
export class RecordTally {
  readonly #outcomes = new Map<string, Map<string, number>>();
  /** Highest `used` per policy, period and partition: the spend so far in that period. */
  readonly #used = new Map<string, number>();

  /** Counts one decision. */
  add(entry: DecisionEntry): void {
    const policy = entry.policy ?? "-";
    let row = this.#outcomes.get(policy);
    if (row === undefined) this.#outcomes.set(policy, (row = new Map<string, number>()));
    row.set(entry.outcome, (row.get(entry.outcome) ?? 0) + 1);
    for (const counter of entry.counters ?? []) {
      if (counter.kind !== "budget") continue;
      const key = `${counter.policy} ${periodOf(counter.window, entry.time)}\u0000${counter.partition}`;
      this.#used.set(key, Math.max(this.#used.get(key) ?? 0, counter.used));
    }
  }

  /** The totals so far. */
  get summary(): RecordSummary {
    const spent = new Map<string, number>();
    for (const [key, used] of this.#used) {
      const period = key.slice(0, key.indexOf("\u0000"));
      spent.set(period, (spent.get(period) ?? 0) + used);
    }
    return { outcomes: this.#outcomes, spent };
  }
}
