// What run.ts and loop.ts share: the policy every call is allowed by, its clients, and an SDK with an in-memory reader.
import { metrics } from "@opentelemetry/api";
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";

/** One rate limit no call reaches: every decision is an allow. */
export const POLICY = `
policies:
  - id: api
    rules:
      - requests_per_minute: 1000000000
        key: client
`;

export const CLIENTS = Array.from({ length: 1_000 }, (_, i) => `198.51.${i >> 8}.${i & 255}`);

/** Registers a MeterProvider with an in-memory reader as the global one (export once an hour: never during a run). */
export function registerInMemoryReader(): MeterProvider {
  const reader = new PeriodicExportingMetricReader({
    exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
    exportIntervalMillis: 3_600_000,
  });
  const provider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(provider);
  return provider;
}
