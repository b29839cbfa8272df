// Attacks on require_approval over MCP: an agent that retries whatever it can think of never runs the tool before a person approves.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolRequest, ElicitRequestURLParams } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createGuardian, type Guardian } from "../../../src/index.js";
import { guardTools } from "../../../src/adapters/mcp.js";
import { connectClosingAfterEach, decisionMetaOf, type Connected } from "../../adapters/mcp/harness.js";
import { APPROVE_DELETES_WITH_PAGES } from "../../support/approval-policy.js";

const connected = connectClosingAfterEach();

/** The call the agent wants: drop one table. */
const DROP = { database: "prod", table: "users" };

/** A guarded server with one destructive tool of two arguments, counting its runs. */
function dropServer(guardian: Guardian, approvalTimeout = 0.05): { server: McpServer; runs: { count: number; tables: string[] } } {
  const runs = { count: 0, tables: [] as string[] };
  const server = guardTools(new McpServer({ name: "db", version: "1.0.0" }), { guardian, approvalTimeout });
  server.registerTool(
    "drop_table",
    { inputSchema: { database: z.string(), table: z.string() }, annotations: { destructiveHint: true } },
    ({ table }) => {
      runs.count += 1;
      runs.tables.push(table);
      return { content: [{ type: "text", text: `dropped ${table}` }] };
    },
  );
  return { server, runs };
}

function approvalIdOf(result: unknown): string {
  return (decisionMetaOf(result)?.["approval"] as { id: string }).id;
}

/** A made-up id of the right shape. */
const FORGED_ID = `ap_${"A".repeat(22)}`;

/** Every variation of the call an agent may send, given the ids it has seen. */
function variations(ownId: string, otherCallsId: string): CallToolRequest["params"][] {
  return [
    { name: "drop_table", arguments: DROP },
    { name: "drop_table", arguments: { table: "users", database: "prod" } },
    { name: "drop_table", arguments: DROP, _meta: { "hexarch/approval": FORGED_ID } },
    { name: "drop_table", arguments: DROP, _meta: { "hexarch/approval": ownId } },
    { name: "drop_table", arguments: DROP, _meta: { "hexarch/approval": otherCallsId } },
    { name: "drop_table", arguments: DROP, _meta: { "hexarch/approval": { id: ownId } } },
    { name: "drop_table", arguments: DROP, _meta: { "hexarch/approval": `${ownId} ` } },
    { name: "drop_table", arguments: DROP, _meta: { "hexarch/approval": "x".repeat(10_000) } },
    { name: "drop_table", arguments: { ...DROP, confirm: true } },
    { name: "drop_table", arguments: DROP, _meta: { confirm: true, approved: true, "hexarch/decision": { outcome: "allow" } } },
  ];
}

/** A client that opens every approval page it is shown (accepts the URL elicitation) and keeps its addresses. */
async function pageOpeningClient(server: McpServer): Promise<Connected & { shown: string[] }> {
  const shown: string[] = [];
  const connection = await connected(
    server,
    (params) => {
      shown.push((params as ElicitRequestURLParams).url);
      return { action: "accept" };
    },
    { url: {} },
  );
  return { ...connection, shown };
}

/** The approval id at the end of a page's address. */
function idInPage(url: string): string {
  return url.slice(url.lastIndexOf("/") + 1);
}

/** Accepts every URL elicitation itself (no person), then says the elicitation is complete itself. */
async function selfApprovingAgent(server: McpServer): Promise<Connected & { shown: ElicitRequestURLParams[] }> {
  const shown: ElicitRequestURLParams[] = [];
  const connection: Connected = await connected(
    server,
    async (params) => {
      const asked = params as ElicitRequestURLParams;
      shown.push(asked);
      // The handler runs only once connected: `connection` is set by then.
      await connection.client.notification({
        method: "notifications/elicitation/complete",
        params: { elicitationId: asked.elicitationId },
      });
      return { action: "accept" };
    },
    { url: {} },
  );
  return { ...connection, shown };
}

describe("MCP attacks: require_approval", () => {
  it("1,000 retries of every variation never run the tool before a person approves; after approval exactly one runs", async () => {
    const guardian = createGuardian({ policyText: APPROVE_DELETES_WITH_PAGES, env: {} });
    const { server, runs } = dropServer(guardian);
    const agent = await selfApprovingAgent(server);
    const plain = dropServer(guardian);
    const plainAgent = await connected(plain.server);

    const ownId = approvalIdOf(await agent.client.callTool({ name: "drop_table", arguments: DROP }));
    // A person approved another call of the same agent (another table): its id must open nothing else.
    const otherCall = { name: "drop_table", arguments: { database: "prod", table: "sessions" } };
    const otherCallsId = approvalIdOf(await agent.client.callTool(otherCall));
    await guardian.approvals.approve(otherCallsId, { by: "ada" });

    const tries = variations(ownId, otherCallsId);
    let sent = 0;
    while (sent < 1_000) {
      const batch = Array.from({ length: 50 }, (_, i) => tries[(sent + i) % tries.length] as CallToolRequest["params"]);
      const results = await Promise.all(batch.map((call, i) => ((sent + i) % 2 === 0 ? agent : plainAgent).client.callTool(call)));
      expect(results.every((result) => result.isError === true)).toBe(true);
      sent += batch.length;
    }
    expect([runs.count, plain.runs.count]).toEqual([0, 0]);
    expect(agent.shown.length).toBeGreaterThan(400);
    expect(agent.shown.every((asked) => !asked.url.includes("key="))).toBe(true);
    expect((await guardian.approvals.get(ownId))?.status).toBe("pending");
    expect((await guardian.approvals.get(otherCallsId))?.status).toBe("approved");

    // A person approves: 20 retries at once, of every variation, from both connections: exactly one runs.
    await guardian.approvals.approve(ownId, { by: "ada" });
    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? agent : plainAgent).client.callTool(tries[i % tries.length] as never)),
    );
    expect(burst.filter((result) => result.isError !== true)).toHaveLength(1);
    expect(runs.count + plain.runs.count).toBe(1);
    for (const call of tries) await agent.client.callTool(call);
    expect(runs.count + plain.runs.count).toBe(1);
    expect((await guardian.approvals.get(ownId))?.status).toBe("used");

    // The other call's approval was never taken by any of them: it still runs its own call, once.
    expect((await agent.client.callTool(otherCall)).isError).toBeFalsy();
    expect(runs.tables).toContain("sessions");
  });

  it("20 calls waiting on the page at once when a person approves: exactly one runs, the others get a fresh request", async () => {
    const guardian = createGuardian({ policyText: APPROVE_DELETES_WITH_PAGES, env: {} });
    const { server, runs } = dropServer(guardian, 5);
    const { client, shown } = await pageOpeningClient(server);
    const calls = Array.from({ length: 20 }, () => client.callTool({ name: "drop_table", arguments: DROP }));
    await expect.poll(() => shown.length).toBe(20);
    expect(new Set(shown).size).toBe(1);
    const [page] = shown as [string];
    await guardian.approvals.approve(idInPage(page), { by: "ada" });
    const results = await Promise.all(calls);
    const refused = results.filter((result) => result.isError === true);
    expect(refused).toHaveLength(19);
    expect(refused.every((result) => approvalIdOf(result) !== idInPage(page))).toBe(true);
    expect(runs.count).toBe(1);
  });

  it("a call cancelled as a person approves never runs, and leaves the approval for the retry", async () => {
    const guardian = createGuardian({ policyText: APPROVE_DELETES_WITH_PAGES, env: {} });
    const { server, runs } = dropServer(guardian, 5);
    const { client, shown } = await pageOpeningClient(server);
    const controller = new AbortController();
    const call = { name: "drop_table", arguments: DROP };
    const waiting = client.callTool(call, undefined, { signal: controller.signal });
    await expect.poll(() => shown.length).toBe(1);
    const id = idInPage(shown[0] as string);
    // A person approves just as the client gives up: the wait sees both at its next look.
    await guardian.approvals.approve(id, { by: "ada" });
    controller.abort("changed my mind");
    await expect(waiting).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(runs.count).toBe(0);
    expect((await guardian.approvals.get(id))?.status).toBe("approved");
    expect((await client.callTool(call)).isError).toBeFalsy();
    expect(runs.count).toBe(1);
  });

  it("arguments too large to bind: refused without a request, and never run", async () => {
    const guardian = createGuardian({ policyText: APPROVE_DELETES_WITH_PAGES, env: {} });
    const { server, runs } = dropServer(guardian);
    const agent = await connected(server);
    const huge = await agent.client.callTool({ name: "drop_table", arguments: { database: "prod", table: "x".repeat(1_100_000) } });
    expect(huge.isError).toBe(true);
    expect(decisionMetaOf(huge)).toMatchObject({ outcome: "confirm", kind: "approval" });
    expect(decisionMetaOf(huge)?.["approval"]).toBeUndefined();
    expect(await guardian.approvals.list()).toEqual([]);
    expect(runs.count).toBe(0);
  });

  it("an elicitation/complete the client sends of its own, before any elicitation, admits nothing", async () => {
    const guardian = createGuardian({ policyText: APPROVE_DELETES_WITH_PAGES, env: {} });
    const { server, runs } = dropServer(guardian);
    const agent = await connected(server);
    const first = await agent.client.callTool({ name: "drop_table", arguments: DROP });
    for (const elicitationId of [approvalIdOf(first), "1", "hexarch"])
      await agent.client.notification({ method: "notifications/elicitation/complete", params: { elicitationId } });
    const again = await agent.client.callTool({ name: "drop_table", arguments: DROP });
    expect(again.isError).toBe(true);
    expect(runs.count).toBe(0);
  });
});
