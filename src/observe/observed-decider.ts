// Puts telemetry and budget alerts behind the guardian's deciding calls; each sees every decision after it is made.
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
  if (alerts === undefined && telemetry !== undefined && !telemetry.perDecision) return spanEventsOnly(inner, telemetry);
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
 * The decider when telemetry has nothing to count (the API's no-op meter, spans off) and no alerts are sent: a decision
 * is only an event on the active span, so without a context manager it passes through untouched (bench/README.md,
 * issue 34: the full wrapper cost the no-op case 3 to 5% of an allowed decision).
 */
function spanEventsOnly(inner: Decider, telemetry: DecisionTelemetry): Decider {
  return deciderOf((context: GuardContext, policyIds?: readonly string[]): Decision | Promise<Decision> => {
    const decided = inner.decideNow(context, policyIds);
    if (!telemetry.spanMayBeActive()) return decided;
    if (decided instanceof Decision) return telemetry.record(decided, context, policyIds, undefined);
    return decided.then((decision) => telemetry.record(decision, context, policyIds, undefined));
  });
}
