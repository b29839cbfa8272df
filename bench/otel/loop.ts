// A fixed number of allowed decisions for instructions.ts to count: `loop.ts <without|noop|reader> <decisions>`.
import { metrics } from "@opentelemetry/api";
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import type * as Root from "../../src/index.js";
import { BENCH_DIST } from "../http-load.js";

const [variant = "without", decisions = "10000"] = process.argv.slice(2);
const { createGuardian } = (await import(`${BENCH_DIST}index.js`)) as typeof Root;
const POLICY = `
policies:
  - id: api
    rules:
      - requests_per_minute: 1000000000
        key: client
`;
const CLIENTS = Array.from({ length: 1_000 }, (_, i) => `198.51.${i >> 8}.${i & 255}`);

if (variant === "reader")
  metrics.setGlobalMeterProvider(
    new MeterProvider({
      readers: [
        new PeriodicExportingMetricReader({
          exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
          exportIntervalMillis: 3_600_000,
        }),
      ],
    }),
  );
else if (variant !== "noop" && variant !== "without") throw new Error(`unknown variant ${variant}`);
const guardian = createGuardian({ policyText: POLICY, env: {}, ...(variant === "without" ? { telemetry: false as const } : {}) });
for (let i = 0; i < Number(decisions); i++) {
  const decision = await guardian.check("api", { client: CLIENTS[i % CLIENTS.length] as string });
  if (decision.outcome !== "allow") throw new Error(`expected allow, got ${decision.outcome}`);
}
process.exit(0);
