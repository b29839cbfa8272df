// Puts telemetry and budget alerts behind the guardian's deciding calls; each sees every decision after it is made.
// Whether a span can be active at all is read here, where a decision passes through when none can.
import type { GuardContext } from "../engine/context.js";
import { Decision } from "../engine/decision.js";
import { deciderOf, type Decider } from "../log/logged-engine.js";
import type { BudgetAlerts } from "./budget-alerts.js";
import type { DecisionTelemetry, TelemetryStart } from "./telemetry.js";

/**
 * The same deciding calls, each decision recorded by `telemetry` and inspected by `alerts` (either may be absent).
 * Neither changes a decision, nor makes it wait: an alert is claimed and sent after the decision is handed out.
 * @example const decider = observedDecider(engine, telemetry, alerts); await decider.decide({ route: "/users" });
 */
export function observedDecider(inner: Decider, telemetry: DecisionTelemetry | undefined, alerts: BudgetAlerts | undefined): Decider {
  const observe = (
    decision: Decision,
    context: GuardContext,
    policyIds: readonly string[] | undefined,
    started: TelemetryStart | undefined,
  ) => {
    alerts?.inspect(decision);
    return telemetry === undefined ? decision : telemetry.record(decision, context, policyIds, started);
  };
  if (alerts === undefined && telemetry !== undefined && !telemetry.spanEach) return withoutSpans(inner, telemetry);
  const decideNow = (context: GuardContext, policyIds?: readonly string[]): Decision | Promise<Decision> => {
    const started = telemetry?.start();
    let decided: Decision | Promise<Decision>;
    try {
      decided = inner.decideNow(context, policyIds);
    } catch (error) {
      started?.span?.end();
      throw error;
    }
    if (decided instanceof Decision) return observe(decided, context, policyIds, started);
    return decided.then(
      (decision) => observe(decision, context, policyIds, started),
      (error: unknown) => {
        started?.span?.end();
        throw error;
      },
    );
  };
  return deciderOf(decideNow);
}

/**
 * The decider when no alert is sent and no decision gets a span of its own (the default): nothing needs ending if
 * deciding throws. With nothing to count either (the API's no-op meter), a decision is only an event on the active
 * span, so without a context manager it passes through untouched. bench/README.md, issue 34: the full wrapper cost the
 * no-op case 3.1 to 5.5% of an allowed decision and the in-memory reader 8.1 to 12.5%; with this, medians of five runs
 * 2.8% and 9.8%.
 */
function withoutSpans(inner: Decider, telemetry: DecisionTelemetry): Decider {
  if (!telemetry.perDecision)
    return deciderOf((context: GuardContext, policyIds?: readonly string[]): Decision | Promise<Decision> => {
      const decided = inner.decideNow(context, policyIds);
      if (!contextManagerRegistered()) return decided;
      if (decided instanceof Decision) return telemetry.record(decided, context, policyIds, undefined);
      return decided.then((decision) => telemetry.record(decision, context, policyIds, undefined));
    });
  return deciderOf((context: GuardContext, policyIds?: readonly string[]): Decision | Promise<Decision> => {
    const started = telemetry.start();
    const decided = inner.decideNow(context, policyIds);
    if (decided instanceof Decision) return telemetry.record(decided, context, policyIds, started);
    return decided.then((decision) => telemetry.record(decision, context, policyIds, started));
  });
}

/**
 * True once a context manager is registered: without one no span is ever active, and asking the API costs as much as
 * 8% of an allowed decision on the memory store (about 80 ns against 850 ns, bench/README.md, issue 34). The API keeps
 * its registrations under `Symbol.for("opentelemetry.js.api.1")` on globalThis; one property read tells.
 */
export function contextManagerRegistered(): boolean {
  // The API makes the object once and keeps it (unregistering deletes its properties), so it is read from globalThis once.
  apiRegistry ??= (globalThis as Record<symbol, { context?: unknown } | undefined>)[API_REGISTRY];
  return apiRegistry?.context !== undefined;
}

/** The API's registrations, once it has made them. */
let apiRegistry: { context?: unknown } | undefined;

/** The key of the API's global registrations for its major version 1, the one the peer range allows. */
const API_REGISTRY = Symbol.for("opentelemetry.js.api.1");
