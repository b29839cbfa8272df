// The call's user comes from the request's auth info (the token's subject, else its OAuth client id), never from the arguments.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { describe, expect, it } from "vitest";
import { createGuardian } from "../../../src/index.js";
import { guardTools } from "../../../src/adapters/mcp.js";
import { decisionMetaOf } from "./harness.js";

const POLICY = `
policies:
  - id: admins_only
    rules:
      - resource: reindex
        allowed_users: [alice]
`;

/** A client whose every message carries `authInfo`, as an HTTP transport behind bearer auth hands it to the server. */
async function clientAs(server: McpServer, authInfo: AuthInfo | undefined): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const send = clientSide.send.bind(clientSide);
  clientSide.send = (message, options) => send(message, { ...options, ...(authInfo === undefined ? {} : { authInfo }) });
  const client = new Client({ name: "auth-test", version: "1.0.0" });
  await server.connect(serverSide);
  await client.connect(clientSide);
  return client;
}

function guarded(): { server: McpServer; runs: string[] } {
  const runs: string[] = [];
  const server = guardTools(new McpServer({ name: "auth", version: "1.0.0" }), {
    guardian: createGuardian({ policyText: POLICY, env: {} }),
  });
  server.registerTool("reindex", { annotations: { readOnlyHint: false, destructiveHint: false } }, (extra) => {
    runs.push(extra.authInfo?.clientId ?? "anonymous");
    return { content: [] };
  });
  return { server, runs };
}

const token = (clientId: string, extra?: Record<string, unknown>): AuthInfo => ({
  token: "t",
  clientId,
  scopes: [],
  ...(extra ? { extra } : {}),
});

describe("guardTools: the user from auth info", () => {
  it("the token's subject is the user; its client id stands in when there is no subject", async () => {
    const cases: [AuthInfo | undefined, boolean][] = [
      [token("app-1", { sub: "alice" }), true],
      [token("alice"), true],
      [token("app-2", { sub: "bob" }), false],
      [token("alice", { sub: "bob" }), false],
      [undefined, false],
    ];
    for (const [authInfo, runs] of cases) {
      const { server, runs: ran } = guarded();
      const client = await clientAs(server, authInfo);
      const result = await client.callTool({ name: "reindex", arguments: { user: "alice" }, _meta: { user: "alice" } });
      expect(result.isError === true, JSON.stringify(authInfo)).toBe(!runs);
      if (!runs) expect(decisionMetaOf(result)).toMatchObject({ outcome: "deny", policy: "admins_only" });
      expect(ran).toHaveLength(runs ? 1 : 0);
      await client.close();
    }
  });
});
