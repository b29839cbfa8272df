// Where guardTools() reaches into the MCP SDK: the low-level server's `tools/call` handler, the registered tools, the connection.
import { randomUUID } from "node:crypto";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { ServerNotification, ServerRequest, ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import { PolicyConfigError } from "../../errors/config-error.js";

/** What a request handler receives besides the request: the SDK's `extra` of a server-side handler. */
export type ToolCallExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** A `tools/call` request as the SDK's protocol layer hands it over: not yet checked against any schema. */
export interface RawToolCall {
  readonly method: string;
  readonly params?: { readonly name?: unknown; readonly arguments?: unknown; readonly _meta?: unknown } | undefined;
}

/** An entry of the protocol layer's handler table: what runs a request of one method. */
export type RequestRunner = (request: RawToolCall, extra: ToolCallExtra) => Promise<unknown>;

/** A tool the server would run, as the guard sees it: its annotations, read at the moment of the call. */
export interface ListedTool {
  readonly annotations: ToolAnnotations | undefined;
}

/** The parts of an MCP server the guard works with. */
export interface ServerParts {
  /** The SDK's low-level `Server` (the protocol endpoint). */
  readonly protocol: Server;
  /** The tool the server would run for `name`, or undefined when it would answer "not found" or "disabled". */
  readonly toolNamed: (name: string) => ListedTool | undefined;
}

/** Marks a runner as the guard's, so a server is never guarded twice and a re-set handler is wrapped once. */
const GUARDED = Symbol.for("hexarch.mcp.guarded");

const CALL = "tools/call";

/** A registered tool as McpServer keeps it (`_registeredTools`), read only for its annotations and whether it is on. */
interface RegisteredToolView {
  readonly annotations?: ToolAnnotations;
  readonly enabled?: boolean;
}

function unsupported(path: string, message: string): PolicyConfigError {
  return new PolicyConfigError(
    [
      {
        file: "<options>",
        path: `guardTools().${path}`,
        message,
        fix: "pass an McpServer from @modelcontextprotocol/sdk 1.x (new McpServer(...)); if it is one, this SDK version is not supported yet: please report it",
      },
    ],
    "guardTools() cannot guard this server",
  );
}

/** The protocol layer's table of request runners: private in the SDK, so checked here once. */
function runnersOf(protocol: Server): Map<string, RequestRunner> {
  const table = (protocol as unknown as { _requestHandlers?: unknown })._requestHandlers;
  if (!(table instanceof Map)) throw unsupported("server", "the server has no request handler table (_requestHandlers)");
  return table as Map<string, RequestRunner>;
}

/**
 * The parts of an McpServer: its protocol endpoint, and its tools looked up exactly as its own `tools/call` handler
 * looks them up (a plain object read, so a name like `constructor` resolves as the SDK resolves it), enabled only.
 */
export function serverParts(server: McpServer): ServerParts {
  if (typeof server !== "object" || server === null || typeof (server as { server?: unknown }).server !== "object")
    throw unsupported("server", `expected an McpServer, got ${server === null ? "null" : typeof server}`);
  const registered = (server as unknown as { _registeredTools?: unknown })._registeredTools;
  if (typeof registered !== "object" || registered === null)
    throw unsupported("server", "the server keeps no table of registered tools (_registeredTools)");
  const tools = registered as Record<string, RegisteredToolView | undefined>;
  return {
    protocol: server.server,
    toolNamed(name) {
      const tool = tools[name];
      if (typeof tool !== "object" || tool === null || tool.enabled !== true) return undefined;
      return { annotations: tool.annotations };
    },
  };
}

/**
 * Wraps the server's `tools/call` runner with `wrap`: the one set now, and every one set later (McpServer sets its
 * runner when the first tool is registered, so a tool registered after guardTools() is guarded too). Throws when the
 * server is guarded already.
 */
export function hookToolCalls(protocol: Server, wrap: (inner: RequestRunner) => RequestRunner): void {
  const runners = runnersOf(protocol);
  const hooked = protocol as unknown as Record<PropertyKey, unknown>;
  if (hooked[GUARDED] === true) {
    throw new PolicyConfigError(
      [
        {
          file: "<options>",
          path: "guardTools()",
          message: "this server is guarded already",
          fix: "call guardTools() once per server; to change its options, guard a new server",
        },
      ],
      "guardTools() cannot guard this server",
    );
  }
  const install = (): void => {
    const current = runners.get(CALL);
    if (current === undefined || (current as unknown as Record<PropertyKey, unknown>)[GUARDED] === true) return;
    runners.set(CALL, Object.assign(wrap(current), { [GUARDED]: true }));
  };
  const setRequestHandler = protocol.setRequestHandler.bind(protocol);
  Object.defineProperty(protocol, "setRequestHandler", {
    configurable: true,
    writable: true,
    value: function setRequestHandlerGuarded(...args: Parameters<typeof setRequestHandler>): void {
      setRequestHandler(...args);
      install();
    },
  });
  hooked[GUARDED] = true;
  install();
}

const connectionIds = new WeakMap<object, string>();

/**
 * Who is calling: the transport's session id (Streamable HTTP), else one id per connection (stdio, in-memory): the
 * transport the server is connected to. Never read from the request, whose `_meta` and arguments the caller writes.
 */
export function clientOf(protocol: Server, extra: ToolCallExtra): string {
  if (typeof extra.sessionId === "string" && extra.sessionId !== "") return extra.sessionId;
  const transport = protocol.transport;
  if (transport === undefined) return "mcp-connection:none";
  let id = connectionIds.get(transport);
  if (id === undefined) connectionIds.set(transport, (id = `mcp-connection:${randomUUID()}`));
  return id;
}
