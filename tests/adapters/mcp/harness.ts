// A guarded McpServer and the SDK's real Client over the in-memory transport, for the MCP adapter's tests.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ElicitRequestSchema, type CallToolResult, type ClientCapabilities, type ElicitResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach } from "vitest";
import { z } from "zod";
import { createGuardian, type Guardian } from "../../../src/index.js";
import { guardTools, type GuardToolsOptions } from "../../../src/adapters/mcp.js";

/** Policies of the tests: confirmation before destructive tools, 5 searches a minute, a budget of 10 per session. */
export const TOOL_POLICY = `
policies:
  - id: confirm_destructive
    rules:
      - resource_types: [mcp_tool]
        operation: delete
        action: require_confirmation
  - id: search_rate
    rules:
      - resource: search
        requests_per_minute: 5
  - id: session_budget
    rules:
      - resource: paid_lookup
        daily_budget: 10
        cost: 1
`;

/** How many times each tool's handler ran. */
export type RunCounts = Record<string, number>;

/** Registers the test tools: read-only, write, destructive, unannotated, rate-limited and budgeted. */
export function registerTestTools(server: McpServer, runs: RunCounts): void {
  const ran = (name: string): CallToolResult => {
    runs[name] = (runs[name] ?? 0) + 1;
    return { content: [{ type: "text", text: `${name} ran` }] };
  };
  server.registerTool("list_files", { description: "List files", annotations: { readOnlyHint: true } }, () => ran("list_files"));
  server.registerTool(
    "write_note",
    { description: "Write a note", inputSchema: { text: z.string() }, annotations: { readOnlyHint: false, destructiveHint: false } },
    () => ran("write_note"),
  );
  server.registerTool(
    "delete_file",
    { description: "Delete a file", inputSchema: { path: z.string() }, annotations: { destructiveHint: true } },
    () => ran("delete_file"),
  );
  server.registerTool("unannotated", { description: "Says nothing about itself" }, () => ran("unannotated"));
  server.registerTool("search", { description: "Search", inputSchema: { q: z.string() }, annotations: { readOnlyHint: true } }, () =>
    ran("search"),
  );
  server.registerTool("paid_lookup", { description: "Costs 1", annotations: { readOnlyHint: true } }, async () => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    return ran("paid_lookup");
  });
}

/** What a test client answers to an elicitation: a fixed result, a function of the request, or no elicitation support. */
export type Elicitation = ElicitResult | ((params: unknown) => ElicitResult | Promise<ElicitResult>) | "unsupported";

/** A connected Client; `asked` counts the elicitations it received. */
export interface Connected {
  readonly client: Client;
  readonly asked: { count: number; messages: string[] };
  close(): Promise<void>;
}

/** The elicitation modes a test client declares when it answers elicitations: form (the default), URL, or both. */
export type ElicitationModes = NonNullable<ClientCapabilities["elicitation"]>;

/**
 * Connects the SDK's Client to `server` over a fresh in-memory pair, answering elicitations as `elicitation` says,
 * in the modes `modes` declares.
 */
export async function connect(
  server: McpServer,
  elicitation: Elicitation = "unsupported",
  modes: ElicitationModes = { form: {} },
): Promise<Connected> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const capabilities = elicitation === "unsupported" ? {} : { elicitation: modes };
  const client = new Client({ name: "test-client", version: "1.0.0" }, { capabilities });
  const asked = { count: 0, messages: [] as string[] };
  if (elicitation !== "unsupported") {
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.count += 1;
      asked.messages.push(request.params.message);
      return typeof elicitation === "function" ? elicitation(request.params) : elicitation;
    });
  }
  await server.connect(serverSide);
  await client.connect(clientSide);
  return { client, asked, close: () => client.close() };
}

/** A guarded server with the test tools, its run counts and its guardian. */
export interface GuardedSetup {
  readonly server: McpServer;
  readonly runs: RunCounts;
  readonly guardian: Guardian;
}

/** A new McpServer guarded by `guardian` (default: one on TOOL_POLICY), with the test tools registered after guarding. */
export function guardedServer(
  guardian: Guardian = createGuardian({ policyText: TOOL_POLICY, env: {} }),
  options: GuardToolsOptions = {},
): GuardedSetup {
  const runs: RunCounts = {};
  const server = guardTools(new McpServer({ name: "test-tools", version: "1.0.0" }), { guardian, ...options });
  registerTestTools(server, runs);
  return { server, runs, guardian };
}

/** The text of a tool result's first content item. */
export function textOf(result: unknown): string {
  const first = (result as CallToolResult).content[0];
  return first?.type === "text" ? first.text : "";
}

/** The decision a refusal carries under _meta. */
export function decisionMetaOf(result: unknown): Record<string, unknown> | undefined {
  return (result as CallToolResult)._meta?.["hexarch/decision"] as Record<string, unknown> | undefined;
}

/** A `connect` for one test file: every connection it makes is closed after each test. */
export function connectClosingAfterEach(): typeof connect {
  const open: Connected[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((connection) => connection.close()));
  });
  return async (server, elicitation, modes) => {
    const connection = await connect(server, elicitation, modes);
    open.push(connection);
    return connection;
  };
}
