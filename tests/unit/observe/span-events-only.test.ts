// Under the API's no-op meter with spans off, the guardian's decider only adds events to an active span: a context
// manager registered after the guardian was made must still get them (the fast path checks at each decision).
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, describe, expect, it } from "vitest";
import { createGuardian } from "../../../src/index.js";

const POLICY = `
policies:
  - id: api
    rules:
      - requests_per_minute: 100
        key: client
`;

afterAll(() => {
  trace.disable();
  context.disable();
});

describe("OpenTelemetry without a meter provider", () => {
  it("adds the decision event to the active span of a context manager registered after the guardian was made", async () => {
    const guardian = createGuardian({ policyText: POLICY, env: {} });
    // Before any context manager: no span can be active, the decision passes through.
    expect((await guardian.check("api", { client: "a" })).outcome).toBe("allow");

    const exporter = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    await trace.getTracer("test").startActiveSpan("request", async (span) => {
      await guardian.check("api", { client: "a" });
      span.end();
    });
    const events = exporter.getFinishedSpans()[0]?.events.filter((e) => e.name === "hexarch.decision") ?? [];
    expect(events.map((e) => e.attributes?.["hexarch.policy"])).toEqual(["api"]);
    await guardian.close();
  });
});
