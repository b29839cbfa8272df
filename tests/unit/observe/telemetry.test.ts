// OpenTelemetry through the SDK's in-memory metric exporter and span exporter: names, attributes and values.
import { context, metrics, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type DataPoint,
  type Histogram,
  type MetricData,
} from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createGuardian, type CounterStore, type TelemetryOption } from "../../../src/index.js";
import { MemoryStore } from "../../../src/stores/memory.js";

const POLICY = `
prices:
  gpt-4o: { input_per_mtok: 2.5, output_per_mtok: 10 }
policies:
  - id: api
    rules:
      - requests_per_minute: 2
        key: client
  - id: ai_spend
    rules:
      - resource: llm
        daily_budget: 1
        key: user
        action: "warn_at_80%"
`;

const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
const spanExporter = new InMemorySpanExporter();
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] }));
  context.setGlobalContextManager(contextManager.enable());
});

afterAll(() => {
  // The unit project shares one module state between files: nothing registered here may outlive them.
  metrics.disable();
  trace.disable();
  context.disable();
});

afterEach(() => {
  metricExporter.reset();
  spanExporter.reset();
});

/** Every metric exported so far, by name (the last export of each). */
async function exported(): Promise<Map<string, MetricData>> {
  await reader.forceFlush();
  const byName = new Map<string, MetricData>();
  for (const resource of metricExporter.getMetrics())
    for (const scope of resource.scopeMetrics) {
      if (scope.scope.name !== "hexarch-guardrails") continue;
      for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
    }
  return byName;
}

function points(metric: MetricData | undefined): DataPoint<unknown>[] {
  return metric?.dataPoints ?? [];
}

describe("OpenTelemetry", () => {
  // One store for the file: the SDK's instruments are cumulative across guardians, so counts below add up per test.
  const store: CounterStore = new MemoryStore();
  const guardian = (telemetry?: TelemetryOption) =>
    createGuardian({
      policyText: POLICY,
      env: {},
      store,
      prefix: `otel-${Math.random()}:`,
      ...(telemetry === undefined ? {} : { telemetry }),
    });

  it("counts decisions by policy, outcome and kind, and times them in seconds", async () => {
    const g = guardian({ timeEvery: 1 });
    for (let i = 0; i < 3; i++) await g.check("api", { client: "203.0.113.7" });
    const byName = await exported();
    const decisions = points(byName.get("hexarch.decisions")).filter((p) => p.attributes["policy"] === "api");
    expect(decisions.map((p) => [p.attributes, p.value])).toEqual(
      expect.arrayContaining([
        [{ policy: "api", outcome: "allow", kind: "none" }, 2],
        [{ policy: "api", outcome: "limit", kind: "rate" }, 1],
      ]),
    );
    const duration = byName.get("hexarch.decision.duration");
    expect(duration?.descriptor.unit).toBe("s");
    const timed = points(duration).filter((p) => p.attributes["policy"] === "api");
    expect(timed.reduce((sum, p) => sum + (p.value as Histogram).count, 0)).toBe(3);
    for (const p of timed) {
      const { min, max } = p.value as Histogram;
      expect(min).toBeGreaterThan(0);
      expect(max).toBeLessThan(1);
    }
  });

  it("reports each budget's spent and reserved amounts per policy and rule, never per user", async () => {
    const g = guardian();
    const first = await g.check("ai_spend", {
      resource: "llm",
      user: "alice",
      model: "gpt-4o",
      inputTokens: 20_000,
      maxOutputTokens: 10_000,
    });
    await first.settle(0.1);
    await g.check("ai_spend", { resource: "llm", user: "bob", model: "gpt-4o", inputTokens: 20_000, maxOutputTokens: 10_000 });
    const byName = await exported();
    const spent = points(byName.get("hexarch.budget.spent"));
    const reserved = points(byName.get("hexarch.budget.reserved"));
    expect(spent.map((p) => [p.attributes, p.value])).toEqual([[{ policy: "ai_spend", rule: 0, window: "day" }, 0.1]]);
    expect(reserved.map((p) => [p.attributes, p.value])).toEqual([[{ policy: "ai_spend", rule: 0, window: "day" }, 0.15]]);
    for (const p of [...spent, ...reserved]) expect(Object.keys(p.attributes)).not.toContain("user");
  });

  it("adds an event with id, policy, outcome and GenAI attributes to the active span", async () => {
    const g = guardian();
    const tracer = trace.getTracer("test");
    await tracer.startActiveSpan("request", async (span) => {
      const decision = await g.check("ai_spend", {
        resource: "llm",
        user: "carol",
        model: "gpt-4o",
        inputTokens: 1200,
        maxOutputTokens: 800,
      });
      await decision.settle({ prompt_tokens: 1100, completion_tokens: 350 });
      span.end();
    });
    const [request] = spanExporter.getFinishedSpans();
    const event = request?.events.find((e) => e.name === "hexarch.decision");
    expect(event?.attributes).toMatchObject({
      "hexarch.policy": "ai_spend",
      "hexarch.outcome": "allow",
      "gen_ai.request.model": "gpt-4o",
      "gen_ai.usage.input_tokens": 1200,
      "gen_ai.request.max_tokens": 800,
    });
    expect(event?.attributes?.["hexarch.decision.id"]).toMatch(/^[0-9a-f-]{36}$/);
    const settled = request?.events.find((e) => e.name === "hexarch.settle");
    expect(settled?.attributes).toEqual({ "gen_ai.usage.input_tokens": 1100, "gen_ai.usage.output_tokens": 350 });
  });

  it("makes a span per decision when asked, refusals marked as errors", async () => {
    const g = createGuardian({ policyText: POLICY, env: {}, prefix: "otel-spans:", telemetry: { spans: true } });
    for (let i = 0; i < 3; i++) await g.check("api", { client: "198.51.100.4" });
    const spans = spanExporter.getFinishedSpans().filter((s) => s.name === "hexarch.decide");
    expect(spans.map((s) => [s.attributes["hexarch.outcome"], s.status.code])).toEqual([
      ["allow", 0],
      ["allow", 0],
      ["limit", 2],
    ]);
  });

  it("counts store failures", async () => {
    const memory = new MemoryStore();
    const broken: CounterStore = {
      name: "broken",
      consume: () => Promise.reject(new Error("down")),
      refund: () => Promise.reject(new Error("down")),
      peek: (key) => memory.peek(key),
      set: (key, used, windowMs) => memory.set(key, used, windowMs),
      claimOnce: (key, ttlMs) => memory.claimOnce(key, ttlMs),
    };
    const quiet = { info() {}, warn() {}, error() {} };
    const g = createGuardian({ policyText: POLICY, env: {}, store: broken, logger: quiet });
    const decision = await g.check("api", { client: "192.0.2.1" });
    expect([decision.outcome, decision.kind]).toEqual(["error", "store"]);
    const failures = points((await exported()).get("hexarch.store.failures")).filter((p) => p.attributes["store"] === "broken");
    expect(failures.map((p) => p.value)).toEqual([1]);
  });

  it("times one decision in timeEvery", async () => {
    const timed = async () =>
      points((await exported()).get("hexarch.decision.duration"))
        .filter((p) => p.attributes["policy"] === "ai_spend")
        .reduce((n, p) => n + (p.value as Histogram).count, 0);
    const before = await timed();
    const g = guardian({ timeEvery: 4 });
    for (let i = 0; i < 9; i++) await g.check("ai_spend", { resource: "llm", user: "dave", cost: 0.001 });
    // Decisions 1, 5 and 9: this guardian's own countdown.
    expect(await timed()).toBe(before + 3);
  });

  it("records nothing when turned off", async () => {
    const counted = async () =>
      points((await exported()).get("hexarch.decisions"))
        .filter((p) => p.attributes["policy"] === "api")
        .reduce((n, p) => n + (p.value as number), 0);
    const before = await counted();
    await guardian().check("api", { client: "192.0.2.99" });
    expect(await counted()).toBe(before + 1);
    const off = createGuardian({ policyText: POLICY, env: {}, prefix: "otel-off:", telemetry: false });
    await off.check("api", { client: "192.0.2.99" });
    expect(await counted()).toBe(before + 1);
  });
});
