// Regressions of guardTools(): each test is named after what it prevents.
import { describe, expect, it } from "vitest";
import { createGuardian, Decision, type Guardian } from "../../../src/index.js";
import { connectClosingAfterEach, decisionMetaOf, guardedServer, TOOL_POLICY } from "./harness.js";

const connected = connectClosingAfterEach();

describe("guardTools regressions", () => {
  it("an onDecision that throws does not turn the call into a protocol error", async () => {
    const guardian = createGuardian({ policyText: TOOL_POLICY, env: {} });
    const { server, runs } = guardedServer(guardian, {
      onDecision: () => {
        throw new Error("metrics are down");
      },
    });
    const { client } = await connected(server);
    expect((await client.callTool({ name: "list_files" })).isError).toBeFalsy();
    const refused = await client.callTool({ name: "delete_file", arguments: { path: "a" } });
    expect(decisionMetaOf(refused)).toMatchObject({ outcome: "confirm" });
    expect(runs).toEqual({ list_files: 1 });
  });

  it("a guardian whose Decisions are of another class (the package's other module format) still runs allowed calls", async () => {
    // A second copy of the decision module stands in for the CommonJS build's Decision beside the ES module's.
    const copy: string = "../../../src/engine/decision.js?other-copy";
    const other = (await import(copy)) as { Decision: typeof Decision };
    expect(other.Decision).not.toBe(Decision);
    const inner = createGuardian({ policyText: TOOL_POLICY, env: {} });
    const copyOf = (decided: Decision) => new other.Decision({ outcome: decided.outcome, reason: decided.reason, rule: decided.rule });
    // The guard decides through the decider port, as the HTTP adapters do.
    const guardian: Guardian = {
      ...inner,
      evaluate: async (context) => copyOf(await inner.evaluate(context)),
      decideNow: async (context, policyIds) => copyOf(await inner.decideNow(context, policyIds)),
    };
    const { server, runs } = guardedServer(guardian);
    const { client } = await connected(server);
    const result = await client.callTool({ name: "list_files" });
    expect(result.isError).toBeFalsy();
    expect(runs).toEqual({ list_files: 1 });
  });
});
