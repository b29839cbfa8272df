// hexarch's decisions in OpenTelemetry: metrics through the global meter, span events on the active span; nothing without the package.
import { randomUUID } from "node:crypto";
import type * as OtelApi from "@opentelemetry/api";
import type { Attributes, Counter, Histogram, Meter, Span, Tracer } from "@opentelemetry/api";
import type { PolicySet } from "../engine/compile/policy-set.js";
import type { GuardContext } from "../engine/context.js";
import type { Decision } from "../engine/decision.js";
import type { Logger } from "../errors/warnings.js";
import { loadOptionalPeer } from "../optional-peer.js";
import { packageVersion } from "../package-version.js";
import type { CounterStore } from "../stores/store.js";
import { budgetTotals } from "./budget-totals.js";
import { DecisionCounts } from "./decision-counts.js";
import { contextManagerRegistered } from "./observed-decider.js";
import { reportingUsage } from "./usage-event.js";

/** The instrumentation scope hexarch's meter and tracer are named after. */
export const SCOPE_NAME = "hexarch-guardrails";

/** Bucket bounds of `hexarch.decision.duration`, in seconds: the decision server's Prometheus buckets. */
const DURATION_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
/**
 * One decision in this many is timed by default: recording a value in the SDK's histogram costs more than a decision
 * on the memory store, so timing every one would double its cost (bench/README.md, issue 34).
 */
const DEFAULT_TIME_EVERY = 256;

/** What the guardian tells telemetry beside the decisions themselves. */
export interface TelemetrySources {
  readonly set: PolicySet;
  readonly store: CounterStore;
  readonly prefix: string;
  readonly clock: () => number;
  readonly logger: Logger;
  /** The decision log, when the file has one: `hexarch.log.up` reads whether it accepts records. */
  readonly log?: { accepting(): boolean } | undefined;
}

/** Where one decision's telemetry started: its span (when spans are asked for) and its start time. */
export interface TelemetryStart {
  readonly span: Span | undefined;
  readonly startedAt: number;
}

/**
 * The metrics and span events of one guardian. Built only when `@opentelemetry/api` is installed; metrics only when a
 * meter provider was registered before the guardian was made (the API's meters are fixed when they are asked for).
 */
export class DecisionTelemetry {
  readonly #api: typeof OtelApi;
  readonly #tracer: Tracer;
  readonly #spans: boolean;
  /** Undefined under the API's no-op meter: nothing is timed or counted then. */
  readonly #counts: DecisionCounts | undefined;
  readonly #duration: Histogram | undefined;
  readonly #storeFailures: Counter | undefined;
  /** One decision in this many is timed for the duration histogram. */
  readonly #timeEvery: number;
  #untilTimed = 0;

  constructor(api: typeof OtelApi, meter: Meter, sources: TelemetrySources, option: TelemetrySettings) {
    this.#api = api;
    this.#tracer = api.trace.getTracer(SCOPE_NAME, packageVersion());
    this.#spans = option.spans === true;
    this.#timeEvery = option.timeEvery ?? DEFAULT_TIME_EVERY;
    if (meter === api.createNoopMeter()) return;
    this.#counts = countsOf(meter);
    this.#duration = meter.createHistogram("hexarch.decision.duration", {
      description: `Time from a call to its decision, for one decision in ${this.#timeEvery}`,
      unit: "s",
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
    this.#storeFailures = meter.createCounter("hexarch.store.failures", { description: "Counter store operations that failed" });
    observeBudgets(meter, sources);
    const { log } = sources;
    if (log !== undefined)
      meter
        .createObservableGauge("hexarch.log.up", { description: "1 while the decision log accepts records, 0 while its sink fails" })
        .addCallback((result) => result.observe(log.accepting() ? 1 : 0));
  }

  /**
   * True when every decision is counted or spanned. When false (the no-op meter, spans off), a decision only becomes an
   * event on the active span, if there is one: see `contextManagerRegistered()`.
   */
  get perDecision(): boolean {
    return this.#counts !== undefined || this.#spans;
  }

  /** True when each decision gets a span of its own (the `spans` setting), which must end even when deciding throws. */
  get spanEach(): boolean {
    return this.#spans;
  }

  /** Marks the start of a decision: its span, when spans are asked for, and its start time, when this one is timed. */
  start(): TelemetryStart | undefined {
    const span = this.#spans ? this.#tracer.startSpan("hexarch.decide") : undefined;
    if (this.#duration !== undefined && --this.#untilTimed <= 0) {
      this.#untilTimed = this.#timeEvery;
      return { span, startedAt: performance.now() };
    }
    return span === undefined ? undefined : { span, startedAt: Number.NaN };
  }

  /**
   * Records one decision: its count, its duration when timed, and an event on the active span (or its own span). A priced
   * decision comes back made to add the tokens of the usage it is settled with to that span.
   */
  record(
    decision: Decision,
    context: GuardContext,
    policyIds: readonly string[] | undefined,
    started: TelemetryStart | undefined,
  ): Decision {
    if (this.#counts !== undefined) {
      const counted = this.#counts.add(decision.policyId ?? askedPolicies(policyIds), decision);
      if (started !== undefined && !Number.isNaN(started.startedAt))
        this.#duration?.record((performance.now() - started.startedAt) / 1000, counted.attributes);
    }
    const span = started?.span ?? (contextManagerRegistered() ? this.#api.trace.getActiveSpan() : undefined);
    if (span === undefined || !span.isRecording()) return decision;
    const policy = decision.policyId ?? askedPolicies(policyIds);
    const event: Attributes = { "hexarch.decision.id": randomUUID(), "hexarch.policy": policy, "hexarch.outcome": decision.outcome };
    if (decision.kind !== undefined) event["hexarch.kind"] = decision.kind;
    if (decision.price !== undefined) addGenAi(event, context);
    if (started?.span === undefined) span.addEvent("hexarch.decision", event);
    else {
      span.setAttributes(event);
      if (decision.isDenied()) span.setStatus({ code: this.#api.SpanStatusCode.ERROR, message: decision.reason });
      span.end();
    }
    return decision.price === undefined || decision.isDenied() ? decision : reportingUsage(decision, span);
  }

  /** Counts one failed store operation. */
  storeFailed(store: string): void {
    this.#storeFailures?.add(1, { store });
  }
}

/**
 * The decision counts of every guardian using `meter`, observed once: an observable instrument keeps one value per
 * attribute set, so two guardians observing their own counts would hide each other's.
 */
const countsByMeter = new WeakMap<Meter, DecisionCounts>();

function countsOf(meter: Meter): DecisionCounts {
  const known = countsByMeter.get(meter);
  if (known !== undefined) return known;
  const counts = new DecisionCounts();
  countsByMeter.set(meter, counts);
  meter
    .createObservableCounter("hexarch.decisions", { description: "Decisions made, by policy, outcome and kind" })
    .addCallback((result) => {
      for (const counted of counts.sets()) result.observe(counted.count, counted.attributes);
    });
  return counts;
}

/** The policies a decision was asked of: `*` for every matching policy, else their ids. */
function askedPolicies(policyIds: readonly string[] | undefined): string {
  if (policyIds === undefined) return "*";
  return policyIds.length === 1 ? (policyIds[0] as string) : policyIds.join(",");
}

/** The GenAI semantic-convention attributes of a priced call: its model and the tokens it stated. */
function addGenAi(event: Attributes, context: GuardContext): void {
  if (context.model !== undefined) event["gen_ai.request.model"] = context.model;
  if (context.inputTokens !== undefined) event["gen_ai.usage.input_tokens"] = context.inputTokens;
  if (context.maxOutputTokens !== undefined) event["gen_ai.request.max_tokens"] = context.maxOutputTokens;
}

/** `hexarch.budget.spent` and `.reserved`: per policy, rule and window, summed over every key (never a user or client). */
function observeBudgets(meter: Meter, sources: TelemetrySources): void {
  const { set, store, prefix, clock, logger } = sources;
  if (!set.rules.some((indexed) => indexed.rule.counters.some((counter) => counter.kind === "budget"))) return;
  if (store.keysWithPrefix === undefined) return;
  const spent = meter.createObservableGauge("hexarch.budget.spent", { description: "Spent on each budget this period, over every key" });
  const reserved = meter.createObservableGauge("hexarch.budget.reserved", {
    description: "Reserved on each budget this period by calls not settled yet, over every key",
  });
  meter.addBatchObservableCallback(
    async (result) => {
      try {
        for (const total of await budgetTotals(set, store, prefix, clock())) {
          const attributes = { policy: total.policy, rule: total.rule, window: total.window };
          result.observe(spent, total.spent, attributes);
          result.observe(reserved, total.reserved, attributes);
        }
      } catch (error) {
        logger.error({ err: error, store: store.name }, "hexarch: could not read the budgets for OpenTelemetry");
      }
    },
    [spent, reserved],
  );
}

/** How telemetry is configured, when on. */
export interface TelemetrySettings {
  /** A span per decision (a child of the active span) instead of an event on the active span. Default: false. */
  readonly spans?: boolean | undefined;
  /** Times one decision in this many for `hexarch.decision.duration` (1: every decision). Default: 256. */
  readonly timeEvery?: number | undefined;
}

/**
 * OpenTelemetry for a guardian: `false` turns it off; settings tune it.
 * @example createGuardian({ telemetry: { spans: true } })
 */
export type TelemetryOption = false | TelemetrySettings;

/**
 * The guardian's telemetry, or undefined when it is turned off or `@opentelemetry/api` is not installed (then
 * nothing of it is loaded).
 * @example const telemetry = decisionTelemetry(undefined, sources, process.cwd());
 */
export function decisionTelemetry(
  option: TelemetryOption | undefined,
  sources: TelemetrySources,
  cwd: string,
): DecisionTelemetry | undefined {
  if (option === false) return undefined;
  const api = loadOptionalPeer<typeof OtelApi>("@opentelemetry/api", cwd);
  if (api === undefined) return undefined;
  return new DecisionTelemetry(api, api.metrics.getMeter(SCOPE_NAME, packageVersion()), sources, option ?? {});
}
