// Prometheus metrics of one server: decisions by policy and outcome, decision latency, store and log failures. No client or user labels.
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { DecisionLog } from "../log/decision-log.js";

/** The server's metrics, in a registry of their own. */
export interface ServerMetrics {
  readonly registry: Registry;
  readonly decisions: Counter<"policy" | "outcome">;
  readonly latency: Histogram;
  readonly storeFailures: Counter;
  /** Notifications (approval requests) dropped: queue full, or every try failed. */
  readonly notificationsDropped: Counter;
  readonly reloads: Counter<"result">;
}

/**
 * A fresh set of metrics (one registry per server, so two servers in a process do not share counts). With a decision
 * log, `hexarch_log_up` reads whether it accepts records at each scrape; without one the gauge is absent, since a 0
 * there would page someone for a log that does not exist.
 * @example const metrics = createMetrics(log); metrics.decisions.inc({ policy: "api", outcome: "allow" });
 */
export function createMetrics(log: Pick<DecisionLog, "accepting"> | undefined): ServerMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (log !== undefined) {
    new Gauge({
      name: "hexarch_log_up",
      help: "1 while the decision log accepts records, 0 while its sink fails (absent without a log)",
      registers,
      collect() {
        this.set(log.accepting() ? 1 : 0);
      },
    });
  }
  return {
    registry,
    decisions: new Counter({
      name: "hexarch_decisions_total",
      help: "Decisions made, by deciding policy and outcome",
      labelNames: ["policy", "outcome"],
      registers,
    }),
    latency: new Histogram({
      name: "hexarch_decision_duration_seconds",
      help: "Time from a valid decision request to its answer",
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    storeFailures: new Counter({ name: "hexarch_store_failures_total", help: "Counter store operations that failed", registers }),
    notificationsDropped: new Counter({
      name: "hexarch_notifications_dropped_total",
      help: "Notifications to notify: targets dropped (queue full, or every try failed)",
      registers,
    }),
    reloads: new Counter({
      name: "hexarch_policy_reloads_total",
      help: "Policy file reloads, by result",
      labelNames: ["result"],
      registers,
    }),
  };
}
