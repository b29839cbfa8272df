// The MCP example: a file-tools server (list, read, delete) over stdio, every tool call decided by hexarch.yaml beside it.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { guardTools } from "hexarch-guardrails/mcp";

const HERE = fileURLToPath(new URL(".", import.meta.url));

/**
 * The folder the tools work on: HEXARCH_MCP_FILES, else a fresh copy of files/ in a temporary folder, so trying
 * delete_file never deletes the example's own files.
 */
function filesFolder(): string {
  const named = process.env["HEXARCH_MCP_FILES"];
  if (named !== undefined && named !== "") return named;
  const copy = mkdtempSync(join(tmpdir(), "hexarch-mcp-files-"));
  cpSync(join(HERE, "files"), copy, { recursive: true });
  return copy;
}

const FOLDER = filesFolder();

function text(value: string): CallToolResult {
  return { content: [{ type: "text", text: value }] };
}

/** The file a tool names, inside FOLDER only: a bare file name, never a path. */
function fileNamed(name: string): string | undefined {
  if (name === "" || name !== basename(name) || name === "." || name === "..") return undefined;
  const path = join(FOLDER, name);
  try {
    return statSync(path).isFile() ? path : undefined;
  } catch {
    return undefined;
  }
}

function notFound(name: string): CallToolResult {
  return { content: [{ type: "text", text: `No file named ${JSON.stringify(name)}; call list_files to see the names.` }], isError: true };
}

// A desktop client starts the server from a folder of its own choosing: the policy file is named, not discovered.
const server = guardTools(new McpServer({ name: "hexarch-guarded-files", version: "1.0.0" }), {
  policyFile: join(HERE, "hexarch.yaml"),
});

server.registerTool(
  "list_files",
  { title: "List files", description: "Names of the files the assistant may read or delete.", annotations: { readOnlyHint: true } },
  () =>
    text(
      readdirSync(FOLDER)
        .filter((name) => fileNamed(name) !== undefined)
        .join("\n"),
    ),
);

server.registerTool(
  "read_file",
  {
    title: "Read a file",
    description: "The text of one file, by name.",
    inputSchema: { name: z.string().max(255).describe("A name from list_files") },
    annotations: { readOnlyHint: true },
  },
  ({ name }) => {
    const path = fileNamed(name);
    return path === undefined ? notFound(name) : text(readFileSync(path, "utf8"));
  },
);

server.registerTool(
  "delete_file",
  {
    title: "Delete a file",
    description: "Deletes one file, by name. It cannot be undone.",
    inputSchema: { name: z.string().max(255).describe("A name from list_files") },
    annotations: { readOnlyHint: false, destructiveHint: true },
  },
  ({ name }) => {
    const path = fileNamed(name);
    if (path === undefined) return notFound(name);
    rmSync(path);
    return text(`Deleted ${name}.`);
  },
);

await server.connect(new StdioServerTransport());
// stdout carries the protocol: anything for a person goes to stderr.
console.error(`hexarch MCP example: serving the files in ${FOLDER}`);
