// guardTools() with the SDK's real Client over the in-memory transport: confirmation, rate limits, budgets, sessions, listings.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { describe, expect, it } from "vitest";
import { createGuardian } from "../../../src/index.js";
import { guardTools } from "../../../src/adapters/mcp.js";
import {
  connectClosingAfterEach,
  decisionMetaOf,
  guardedServer,
  registerTestTools,
  textOf,
  TOOL_POLICY,
  type RunCounts,
} from "./harness.js";

const connected = connectClosingAfterEach();

describe("guardTools: confirmation before destructive tools", () => {
  it("a destructiveHint tool never runs for a client without elicitation; the refusal says what to do", async () => {
    const { server, runs } = guardedServer();
    const { client } = await connected(server, "unsupported");
    const result = await client.callTool({ name: "delete_file", arguments: { path: "a.txt" } });
    expect(result.isError).toBe(true);
    expect(runs["delete_file"]).toBeUndefined();
    expect(textOf(result)).toMatch(/^The tool "delete_file" was not run: Policy 'confirm_destructive' requires confirmation/);
    expect(textOf(result)).toContain("does not support MCP elicitation");
    expect(decisionMetaOf(result)).toMatchObject({
      outcome: "confirm",
      policy: "confirm_destructive",
      confirmation: "unsupported",
      retry_after: null,
    });
  });

  it("accepting the elicitation runs the tool once", async () => {
    const { server, runs } = guardedServer();
    const { client, asked } = await connected(server, { action: "accept", content: { confirm: true } });
    const result = await client.callTool({ name: "delete_file", arguments: { path: "a.txt" } });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe("delete_file ran");
    expect(runs["delete_file"]).toBe(1);
    expect(asked.count).toBe(1);
    expect(asked.messages[0]).toContain('Run the tool "delete_file"?');
  });

  it.each([
    ["decline", { action: "decline" } as const, "declined"],
    ["cancel", { action: "cancel" } as const, "cancelled"],
    ["accept with confirm unchecked", { action: "accept", content: { confirm: false } } as const, "declined"],
  ])("%s: the tool does not run, and the answer is a tool result, not a protocol error", async (_label, answer, failure) => {
    const { server, runs } = guardedServer();
    const { client } = await connected(server, answer);
    const result = await client.callTool({ name: "delete_file", arguments: { path: "a.txt" } });
    expect(result.isError).toBe(true);
    expect(runs["delete_file"]).toBeUndefined();
    expect(decisionMetaOf(result)).toMatchObject({ outcome: "confirm", confirmation: failure });
  });

  it("an unannotated tool is treated as destructive (MCP's defaults); destructiveHint: false is a write and runs", async () => {
    const { server, runs } = guardedServer();
    const { client } = await connected(server, "unsupported");
    expect((await client.callTool({ name: "unannotated" })).isError).toBe(true);
    expect(runs["unannotated"]).toBeUndefined();
    const written = await client.callTool({ name: "write_note", arguments: { text: "hi" } });
    expect(written.isError).toBeFalsy();
    expect(runs["write_note"]).toBe(1);
  });

  it("a context entry may say otherwise per tool", async () => {
    const guardian = createGuardian({ policyText: TOOL_POLICY, env: {} });
    const { server, runs } = guardedServer(guardian, { context: { unannotated: { operation: "read" } } });
    const { client } = await connected(server, "unsupported");
    expect((await client.callTool({ name: "unannotated" })).isError).toBeFalsy();
    expect(runs["unannotated"]).toBe(1);
  });
});

describe("guardTools: limits and budgets", () => {
  it("a read-only tool passes", async () => {
    const { server, runs } = guardedServer();
    const { client, asked } = await connected(server, { action: "decline" });
    const result = await client.callTool({ name: "list_files" });
    expect(result).toEqual({ content: [{ type: "text", text: "list_files ran" }] });
    expect(runs["list_files"]).toBe(1);
    expect(asked.count).toBe(0);
  });

  it("a 5-a-minute tool refuses the 6th call as a tool error with retry_after", async () => {
    const { server, runs } = guardedServer();
    const { client } = await connected(server);
    for (let i = 0; i < 5; i += 1) expect((await client.callTool({ name: "search", arguments: { q: "x" } })).isError).toBeFalsy();
    const sixth = await client.callTool({ name: "search", arguments: { q: "x" } });
    expect(sixth.isError).toBe(true);
    expect(runs["search"]).toBe(5);
    const meta = decisionMetaOf(sixth);
    expect(meta).toMatchObject({ outcome: "limit", policy: "search_rate", kind: "rate" });
    expect(meta?.["retry_after"]).toBeGreaterThanOrEqual(1);
    expect(meta?.["retry_after"]).toBeLessThanOrEqual(60);
    expect(textOf(sixth)).toMatch(/^The tool "search" was not run: Policy 'search_rate' limit reached: .*; retry in \d+ s\.$/);
  });

  it("a session's budget holds across 50 concurrent calls", async () => {
    const { server, runs } = guardedServer();
    const { client } = await connected(server);
    const results = await Promise.all(Array.from({ length: 50 }, () => client.callTool({ name: "paid_lookup" })));
    expect(results.filter((result) => !result.isError)).toHaveLength(10);
    expect(runs["paid_lookup"]).toBe(10);
    for (const refused of results.filter((result) => result.isError === true))
      expect(decisionMetaOf(refused)).toMatchObject({ outcome: "limit", kind: "budget", policy: "session_budget" });
  });

  it("two sessions count apart (one guardian shared by per-session servers)", async () => {
    const guardian = createGuardian({ policyText: TOOL_POLICY, env: {} });
    const first = guardedServer(guardian);
    const second = guardedServer(guardian);
    const a = await connected(first.server);
    const b = await connected(second.server);
    for (let i = 0; i < 5; i += 1) await a.client.callTool({ name: "search", arguments: { q: "a" } });
    expect((await a.client.callTool({ name: "search", arguments: { q: "a" } })).isError).toBe(true);
    expect((await b.client.callTool({ name: "search", arguments: { q: "b" } })).isError).toBeFalsy();
    expect([first.runs["search"], second.runs["search"]]).toEqual([5, 1]);
  });

  it("the handler settles a model call's reservation through toolDecision(extra)", async () => {
    const { toolDecision } = await import("../../../src/adapters/mcp.js");
    const policy = `
prices:
  gpt-4o: { input_per_mtok: 2.5, output_per_mtok: 10 }
policies:
  - id: model_budget
    rules:
      - resource: summarize
        daily_budget: 1
`;
    const guardian = createGuardian({ policyText: policy, env: {} });
    const server = guardTools(new McpServer({ name: "t", version: "1" }), {
      guardian,
      context: { summarize: () => ({ model: "gpt-4o", inputTokens: 1000, maxOutputTokens: 1000 }) },
    });
    const reserved: (number | undefined)[] = [];
    server.registerTool("summarize", { annotations: { readOnlyHint: true } }, async (extra) => {
      const decision = toolDecision(extra);
      reserved.push(decision?.reserved);
      await decision?.settle({ input_tokens: 1000, output_tokens: 100 });
      return { content: [{ type: "text", text: "summary" }] };
    });
    const { client } = await connected(server);
    expect((await client.callTool({ name: "summarize" })).isError).toBeFalsy();
    expect(reserved).toEqual([0.0125]);
    const [slot] = guardian.countersFor({ resource: "summarize" }, ["model_budget"]);
    const used = (await guardian.store.peek(slot?.key ?? ""))?.used ?? 0;
    const settled = (await guardian.store.peek(`${slot?.key ?? ""}:settled`))?.used ?? 0;
    expect(used - settled).toBe(0);
    expect(used).toBe(3_500);
  });
});

describe("guardTools: tools before and after, listings", () => {
  it("tools registered before guardTools are guarded too", async () => {
    const runs: RunCounts = {};
    const server = new McpServer({ name: "before", version: "1.0.0" });
    registerTestTools(server, runs);
    guardTools(server, { guardian: createGuardian({ policyText: TOOL_POLICY, env: {} }) });
    const { client } = await connected(server);
    expect((await client.callTool({ name: "delete_file", arguments: { path: "x" } })).isError).toBe(true);
    expect(runs["delete_file"]).toBeUndefined();
  });

  it("a tool registered after the client connected is guarded", async () => {
    const { server } = guardedServer();
    const { client } = await connected(server);
    let ran = 0;
    server.registerTool("drop_table", { description: "late" }, () => {
      ran += 1;
      return { content: [] };
    });
    expect((await client.callTool({ name: "drop_table" })).isError).toBe(true);
    expect(ran).toBe(0);
  });

  it("an unguarded and a guarded server list the same tools with the same schemas and annotations", async () => {
    const plain = new McpServer({ name: "same", version: "1.0.0" });
    registerTestTools(plain, {});
    const { server: guarded } = guardedServer();
    const a = await connected(plain);
    const b = await connected(guarded);
    const listed = await a.client.listTools();
    expect(listed.tools.length).toBe(6);
    expect(await b.client.listTools()).toEqual(listed);
  });

  it("guarding a server twice is refused at start-up", () => {
    const { server, guardian } = guardedServer();
    expect(() => guardTools(server, { guardian })).toThrow(/guarded already/);
  });

  it("an unknown tool gets the SDK's own answer, and counts nothing", async () => {
    const { server } = guardedServer();
    const { client } = await connected(server);
    const result = await client.callTool({ name: "no_such_tool" });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("Tool no_such_tool not found");
    expect(decisionMetaOf(result)).toBeUndefined();
  });
});
