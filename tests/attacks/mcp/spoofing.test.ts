// Attacks on who a call is and what it states: spoofed sessions, hostile arguments and names, a context that lies.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { describe, expect, it } from "vitest";
import { createGuardian } from "../../../src/index.js";
import { guardTools } from "../../../src/adapters/mcp.js";
import { connectClosingAfterEach, decisionMetaOf, guardedServer, textOf, TOOL_POLICY, type Connected } from "../../adapters/mcp/harness.js";

const connected = connectClosingAfterEach();

async function exhaustSearches(connection: Connected): Promise<void> {
  for (let i = 0; i < 5; i += 1) expect((await connection.client.callTool({ name: "search", arguments: { q: "x" } })).isError).toBeFalsy();
}

describe("MCP attacks: who is calling", () => {
  it("a session id in _meta or in the arguments does not open a new counter", async () => {
    const { server, runs } = guardedServer();
    const connection = await connected(server);
    await exhaustSearches(connection);
    const spoofs = [
      { name: "search", arguments: { q: "x", sessionId: "victim" }, _meta: { sessionId: "fresh", "mcp-session-id": "fresh" } },
      { name: "search", arguments: { q: "x", client: "fresh", user: "admin" } },
      { name: "search", arguments: { q: "x" }, _meta: { progressToken: 7, client: "fresh" } },
    ];
    for (const params of spoofs) {
      const result = await connection.client.callTool(params);
      expect(result.isError).toBe(true);
      expect(decisionMetaOf(result)).toMatchObject({ outcome: "limit" });
    }
    expect(runs["search"]).toBe(5);
  });

  it("arguments saying confirm: true do not stand in for the person's confirmation", async () => {
    const { server, runs } = guardedServer();
    const { client } = await connected(server, "unsupported");
    const result = await client.callTool({ name: "delete_file", arguments: { path: "a", confirm: true }, _meta: { confirm: true } });
    expect(result.isError).toBe(true);
    expect(runs["delete_file"]).toBeUndefined();
  });

  it("a context function cannot set confirm, client or resource: the call is refused, never run", async () => {
    for (const lie of [{ confirm: true }, { client: "someone-else" }, { resource: "list_files" }, { resourceType: "other" }]) {
      const guardian = createGuardian({ policyText: TOOL_POLICY, env: {} });
      const { server, runs } = guardedServer(guardian, { context: () => lie as never });
      const { client } = await connected(server, { action: "accept", content: { confirm: true } });
      const result = await client.callTool({ name: "list_files" });
      expect(result.isError).toBe(true);
      expect(decisionMetaOf(result)).toMatchObject({ outcome: "error", policy: null });
      expect(runs["list_files"]).toBeUndefined();
    }
  });

  it("a context function that throws, or returns a non-object, refuses the call as a tool error", async () => {
    for (const context of [
      () => {
        throw new Error("lookup failed");
      },
      () => "read" as never,
      () => Promise.reject(new Error("async lookup failed")),
    ]) {
      const { server, runs } = guardedServer(createGuardian({ policyText: TOOL_POLICY, env: {} }), { context });
      const { client } = await connected(server);
      const result = await client.callTool({ name: "list_files" });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/could not decide the call/);
      expect(runs["list_files"]).toBeUndefined();
    }
  });

  it("an operation: undefined stated by a context function leaves the annotations' operation in place", async () => {
    const { server, runs } = guardedServer(createGuardian({ policyText: TOOL_POLICY, env: {} }), {
      context: { delete_file: () => ({ operation: undefined, cost: 1 }) as never },
    });
    const { client } = await connected(server);
    expect((await client.callTool({ name: "delete_file", arguments: { path: "a" } })).isError).toBe(true);
    expect(runs["delete_file"]).toBeUndefined();
  });
});

describe("MCP attacks: odd names and hostile values", () => {
  it("names near a guarded tool's get the SDK's not-found answer and run nothing", async () => {
    const { server, runs } = guardedServer();
    const { client } = await connected(server);
    for (const name of ["DELETE_FILE", "delete_file ", " delete_file", "delete_file\u0000", "delete\u200bfile", "d".repeat(100_000)]) {
      const result = await client.callTool({ name, arguments: { path: "a" } });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain("not found");
    }
    expect(runs).toEqual({});
  });

  it("names that are Object.prototype members are never mistaken for a tool or a context entry", async () => {
    const { server, runs } = guardedServer(createGuardian({ policyText: TOOL_POLICY, env: {} }), {
      context: { list_files: { facts: {} } },
    });
    const { client } = await connected(server);
    for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"]) {
      const result = await client.callTool({ name });
      expect(result.isError).toBe(true);
      expect(decisionMetaOf(result)).toBeUndefined(); // the SDK's own answer: no such (enabled) tool
    }
    expect(runs).toEqual({});
  });

  it("a name that is not a string is a protocol error from the SDK, and no handler runs", async () => {
    const { server, runs } = guardedServer();
    const { client } = await connected(server);
    for (const name of [42, null, { toString: "delete_file" }, ["delete_file"]])
      await expect(
        client.request(
          { method: "tools/call", params: { name: name as never } },
          (await import("@modelcontextprotocol/sdk/types.js")).CallToolResultSchema,
        ),
      ).rejects.toThrow();
    expect(runs).toEqual({});
  });

  it("huge and hostile arguments reach the context function as data and change nothing about the decision", async () => {
    const seen: number[] = [];
    const { server, runs } = guardedServer(createGuardian({ policyText: TOOL_POLICY, env: {} }), {
      context: (call) => {
        seen.push(JSON.stringify(call.arguments).length);
        return undefined;
      },
    });
    const { client } = await connected(server);
    const huge = { q: "x".repeat(2_000_000), __proto__: { confirm: true }, constructor: { prototype: { polluted: true } } };
    const result = await client.callTool({ name: "search", arguments: huge });
    expect(result.isError).toBeFalsy();
    expect(seen[0]).toBeGreaterThan(2_000_000);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect((await client.callTool({ name: "delete_file", arguments: huge })).isError).toBe(true);
    expect(runs).toEqual({ search: 1 });
  });
});

describe("MCP attacks: swapping what the guard wraps", () => {
  it("a handler swapped by update(), a tool disabled and enabled, a tools/call handler set again: still guarded", async () => {
    const guardian = createGuardian({ policyText: TOOL_POLICY, env: {} });
    const server = guardTools(new McpServer({ name: "swap", version: "1" }), { guardian });
    let ran = 0;
    const tool = server.registerTool("wipe", { annotations: { destructiveHint: true } }, () => ({ content: [] }));
    tool.update({
      callback: () => {
        ran += 1;
        return { content: [] };
      },
    });
    tool.disable();
    tool.enable();
    const { client } = await connected(server);
    expect((await client.callTool({ name: "wipe" })).isError).toBe(true);
    // Setting a new tools/call handler on the low-level server is guarded as well.
    const { CallToolRequestSchema } = await import("@modelcontextprotocol/sdk/types.js");
    server.server.removeRequestHandler("tools/call");
    server.server.setRequestHandler(CallToolRequestSchema, () => {
      ran += 1;
      return { content: [] };
    });
    expect((await client.callTool({ name: "wipe" })).isError).toBe(true);
    expect(ran).toBe(0);
  });
});
