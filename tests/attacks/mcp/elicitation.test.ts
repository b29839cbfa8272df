// Attacks on confirmation: answers of the wrong shape, a client that never answers or fails, cancels, races of many calls.
import { describe, expect, it } from "vitest";
import { createGuardian } from "../../../src/index.js";
import { connectClosingAfterEach, decisionMetaOf, guardedServer, TOOL_POLICY, type Elicitation } from "../../adapters/mcp/harness.js";

const connected = connectClosingAfterEach();

const DELETE = { name: "delete_file", arguments: { path: "a.txt" } };

describe("MCP attacks: confirmation answers", () => {
  const wrongShapes: [string, Elicitation][] = [
    ["confirm as a string", { action: "accept", content: { confirm: "yes" } } as never],
    ["confirm as 1", { action: "accept", content: { confirm: 1 } } as never],
    ["accept without content", { action: "accept" }],
    ["accept with another field only", { action: "accept", content: { approve: true } }],
    ["an unknown action", { action: "maybe" } as never],
    ["an answer that is not an object", "accept" as never],
    ["the client's handler throws", () => Promise.reject(new Error("client crashed"))],
  ];

  it.each(wrongShapes)("%s: the tool does not run, and the answer is a tool result", async (_label, answer) => {
    const { server, runs } = guardedServer();
    const { client } = await connected(server, answer);
    const result = await client.callTool(DELETE);
    expect(result.isError).toBe(true);
    expect(decisionMetaOf(result)).toMatchObject({ outcome: "confirm" });
    expect(runs["delete_file"]).toBeUndefined();
  });

  it("a client that never answers: refused after confirmTimeout as a tool result, never a protocol error", async () => {
    const guardian = createGuardian({ policyText: TOOL_POLICY, env: {} });
    const { server, runs } = guardedServer(guardian, { confirmTimeout: 0.2 });
    const { client } = await connected(server, () => new Promise(() => {}));
    const result = await client.callTool(DELETE);
    expect(decisionMetaOf(result)).toMatchObject({ outcome: "confirm", confirmation: "unanswered" });
    expect(runs["delete_file"]).toBeUndefined();
  });

  it("a call cancelled while the question is open never runs, even if the person accepts afterwards", async () => {
    let accept: ((value: { action: "accept"; content: { confirm: true } }) => void) | undefined;
    const { server, runs } = guardedServer();
    const { client, asked } = await connected(server, () => new Promise((resolve) => (accept = resolve)));
    const controller = new AbortController();
    const call = client.callTool(DELETE, undefined, { signal: controller.signal });
    while (asked.count === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort("changed my mind");
    await expect(call).rejects.toThrow();
    accept?.({ action: "accept", content: { confirm: true } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(runs["delete_file"]).toBeUndefined();
  });

  it("one accepted answer runs one call: a second call asks again", async () => {
    const { server, runs } = guardedServer();
    const { client, asked } = await connected(server, { action: "accept", content: { confirm: true } });
    await client.callTool(DELETE);
    await client.callTool(DELETE);
    expect([asked.count, runs["delete_file"]]).toEqual([2, 2]);
  });
});

describe("MCP attacks: concurrency", () => {
  it("50 concurrent destructive calls: each asks once and runs once when accepted, none runs when declined", async () => {
    const accepting = guardedServer();
    const a = await connected(accepting.server, { action: "accept", content: { confirm: true } });
    await Promise.all(Array.from({ length: 50 }, () => a.client.callTool(DELETE)));
    expect([a.asked.count, accepting.runs["delete_file"]]).toEqual([50, 50]);
    const declining = guardedServer();
    const d = await connected(declining.server, { action: "decline" });
    const results = await Promise.all(Array.from({ length: 50 }, () => d.client.callTool(DELETE)));
    expect(results.every((result) => result.isError === true)).toBe(true);
    expect([d.asked.count, declining.runs["delete_file"]]).toEqual([50, undefined]);
  });

  it("concurrent calls from two sessions on one guardian: 5 searches each, never more", async () => {
    const guardian = createGuardian({ policyText: TOOL_POLICY, env: {} });
    const first = guardedServer(guardian);
    const second = guardedServer(guardian);
    const a = await connected(first.server);
    const b = await connected(second.server);
    const calls = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).client.callTool({ name: "search", arguments: { q: "x" } }));
    const results = await Promise.all(calls);
    expect(results.filter((result) => !result.isError)).toHaveLength(10);
    expect([first.runs["search"], second.runs["search"]]).toEqual([5, 5]);
  });

  it("a budget of 10 holds across 50 concurrent calls even when every call also needs a confirmation", async () => {
    const policy = `${TOOL_POLICY}
  - id: confirm_paid
    rules:
      - resource: paid_lookup
        action: require_confirmation
`;
    const { server, runs } = guardedServer(createGuardian({ policyText: policy, env: {} }));
    const { client } = await connected(server, async () => {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
      return { action: "accept", content: { confirm: true } };
    });
    const results = await Promise.all(Array.from({ length: 50 }, () => client.callTool({ name: "paid_lookup" })));
    expect(results.filter((result) => !result.isError)).toHaveLength(10);
    expect(runs["paid_lookup"]).toBe(10);
  });
});
