// Decisions counted in process by policy, outcome and kind: an increment per decision, read by OpenTelemetry at collection.
import type { Attributes } from "@opentelemetry/api";
import type { Decision } from "../engine/decision.js";

/** One attribute set and the decisions counted under it. */
export interface CountedSet {
  readonly attributes: Attributes;
  count: number;
}

/**
 * The counts behind `hexarch.decisions`. The SDK's own `counter.add` hashes the attributes on every call, which costs
 * more than a decision on the memory store (bench/README.md, issue 34); counting here costs three map lookups, and the
 * SDK reads the totals through an observable counter, which exports the same monotonic sum.
 * @example counts.add("api", decision).count // 1
 */
export class DecisionCounts {
  readonly #byPolicy = new Map<string, Map<string, Map<string, CountedSet>>>();
  /** The set counted last, with what it was found by: calls in a row mostly have the same policy, outcome and kind. */
  #last: { policy: string; outcome: string; kind: string | undefined; counted: CountedSet } | undefined;

  /** Counts one decision of `policy`; returns its set (with its attributes, for the duration histogram). */
  add(policy: string, decision: Decision): CountedSet {
    const last = this.#last;
    if (last !== undefined && last.policy === policy && last.outcome === decision.outcome && last.kind === decision.kind) {
      last.counted.count++;
      return last.counted;
    }
    const counted = this.#find(policy, decision);
    counted.count++;
    this.#last = { policy, outcome: decision.outcome, kind: decision.kind, counted };
    return counted;
  }

  #find(policy: string, decision: Decision): CountedSet {
    let byOutcome = this.#byPolicy.get(policy);
    if (byOutcome === undefined) this.#byPolicy.set(policy, (byOutcome = new Map<string, Map<string, CountedSet>>()));
    const { outcome } = decision;
    let byKind = byOutcome.get(outcome);
    if (byKind === undefined) byOutcome.set(outcome, (byKind = new Map<string, CountedSet>()));
    const kind = decision.kind ?? "none";
    let counted = byKind.get(kind);
    if (counted === undefined) byKind.set(kind, (counted = { attributes: Object.freeze({ policy, outcome, kind }), count: 0 }));
    return counted;
  }

  /** Every set counted so far, with its total. */
  *sets(): Generator<CountedSet> {
    for (const byOutcome of this.#byPolicy.values()) for (const byKind of byOutcome.values()) yield* byKind.values();
  }
}
