// Prometheus metrics of one server: decisions by policy and outcome, decision latency, store and log failures. No client or user labels.
import { Counter, Gauge, Histogram, Registry } from "prom-client";

/** The server's metrics, in a registry of their own. */
export interface ServerMetrics {
  readonly registry: Registry;
  readonly decisions: Counter<"policy" | "outcome">;
  readonly latency: Histogram;
  readonly storeFailures: Counter;
  readonly logUp: Gauge;
  readonly reloads: Counter<"result">;
}

/**
 * A fresh set of metrics (one registry per server, so two servers in a process do not share counts).
 * @example const metrics = createMetrics(); metrics.decisions.inc({ policy: "api", outcome: "allow" });
 */
export function createMetrics(): ServerMetrics {
  const registry = new Registry();
  const registers = [registry];
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
    logUp: new Gauge({
      name: "hexarch_log_up",
      help: "1 while the decision log accepts records, 0 while its sink fails (absent without a log)",
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
