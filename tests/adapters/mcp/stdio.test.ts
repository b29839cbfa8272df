// The MCP example over stdio, as a desktop client runs it: the SDK's real Client spawns examples/mcp/server.ts.
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ElicitRequestSchema, type ElicitResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decisionMetaOf, textOf } from "./harness.js";

const ROOT = join(import.meta.dirname, "../../..");
const EXAMPLE = join(ROOT, "examples/mcp");

let folder = "";
beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), "hexarch-mcp-stdio-"));
  cpSync(join(EXAMPLE, "files"), folder, { recursive: true });
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Spawns the example with its files in the test's folder; `answer` is what the client answers to elicitation, if it can. */
async function spawnExample(answer?: ElicitResult): Promise<{ client: Client; asked: () => number }> {
  const transport = new StdioClientTransport({
    command: join(ROOT, "node_modules/.bin/tsx"),
    args: ["--tsconfig", join(EXAMPLE, "tsconfig.json"), join(EXAMPLE, "server.ts")],
    env: { ...(process.env as Record<string, string>), HEXARCH_MCP_FILES: folder },
    stderr: "pipe",
  });
  const client = new Client(
    { name: "stdio-test", version: "1.0.0" },
    { capabilities: answer === undefined ? {} : { elicitation: { form: {} } } },
  );
  let asked = 0;
  if (answer !== undefined)
    client.setRequestHandler(ElicitRequestSchema, () => {
      asked += 1;
      return answer;
    });
  await client.connect(transport);
  return { client, asked: () => asked };
}

describe("the MCP example over stdio", () => {
  it(
    "lists its three tools; read_file passes 5 times a minute, the 6th is a tool error; delete is refused without elicitation",
    { timeout: 60_000 },
    async () => {
      const { client } = await spawnExample();
      try {
        const { tools } = await client.listTools();
        expect(tools.map((tool) => tool.name)).toEqual(["list_files", "read_file", "delete_file"]);
        expect(
          textOf(await client.callTool({ name: "list_files" }))
            .split("\n")
            .sort(),
        ).toEqual(["draft.txt", "notes.txt", "plans.md"]);
        for (let i = 0; i < 5; i += 1)
          expect(textOf(await client.callTool({ name: "read_file", arguments: { name: "notes.txt" } }))).toContain("Buy milk.");
        const sixth = await client.callTool({ name: "read_file", arguments: { name: "notes.txt" } });
        expect(sixth.isError).toBe(true);
        expect(decisionMetaOf(sixth)).toMatchObject({ outcome: "limit", policy: "read_rate" });
        const refused = await client.callTool({ name: "delete_file", arguments: { name: "draft.txt" } });
        expect(refused.isError).toBe(true);
        expect(decisionMetaOf(refused)).toMatchObject({ outcome: "confirm", policy: "confirm_deletes", confirmation: "unsupported" });
        expect(existsSync(join(folder, "draft.txt"))).toBe(true);
      } finally {
        await client.close();
      }
    },
  );

  it("declining the confirmation leaves the file; accepting deletes it once", { timeout: 90_000 }, async () => {
    const declining = await spawnExample({ action: "decline" });
    try {
      const declined = await declining.client.callTool({ name: "delete_file", arguments: { name: "draft.txt" } });
      expect(decisionMetaOf(declined)).toMatchObject({ outcome: "confirm", confirmation: "declined" });
      expect(declining.asked()).toBe(1);
      expect(existsSync(join(folder, "draft.txt"))).toBe(true);
    } finally {
      await declining.client.close();
    }
    const accepting = await spawnExample({ action: "accept", content: { confirm: true } });
    try {
      const deleted = await accepting.client.callTool({ name: "delete_file", arguments: { name: "draft.txt" } });
      expect(deleted.isError).toBeFalsy();
      expect(textOf(deleted)).toBe("Deleted draft.txt.");
      expect(accepting.asked()).toBe(1);
      expect(existsSync(join(folder, "draft.txt"))).toBe(false);
    } finally {
      await accepting.client.close();
    }
  });
});
