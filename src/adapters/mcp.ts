// MCP adapter: `guardTools(server)` decides every tool call of an McpServer against the policy file before its handler runs.
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { Decision } from "../engine/decision.js";
import type { GuardContext } from "../engine/context.js";
import type { Guardian } from "../guardian/create-guardian.js";
import { PolicyConfigError } from "../errors/config-error.js";
import { SILENT_LOGGER, type Logger } from "../errors/warnings.js";
import { setupHexarch } from "./core/adapter-setup.js";
import { GUARDIAN_OPTION_SPEC, validateOptions, type GuardianChoice, type OptionSpec } from "./core/index.js";
import { approvalIdOf, argumentsShown, askForApproval, decideUnderApproval, toolBinding, type ApprovalAnswer } from "./mcp/approval.js";
import { askToConfirm, type ConfirmationAnswer } from "./mcp/confirm.js";
import {
  clientOf,
  hookToolCalls,
  serverParts,
  type RawToolCall,
  type RequestRunner,
  type ServerParts,
  type ToolCallExtra,
} from "./mcp/server-hooks.js";
import { checkContextOption, contextFor, factsSourceFor, type ToolCall, type ToolContextOption } from "./mcp/tool-context.js";
import { refusalResult } from "./mcp/tool-results.js";

/** Options of `guardTools()`, besides those that create a guardian. */
export interface McpGuardOptions {
  /**
   * The guardian deciding the calls: pass one to every per-session server of a Streamable HTTP app so they count
   * together. Default: one created from `policyFile` and the other guardian options, else the process-wide MCP
   * guardian (created once from the discovered hexarch.yaml, as `createGuardian()` finds it).
   */
  readonly guardian?: Guardian;
  /**
   * Facts about calls: one function of the call for every tool, or per tool name fixed facts or a function. They
   * may set `operation` (overriding the annotations), `cost`, `model`, `inputTokens`, `maxOutputTokens`, `facts`,
   * `user`, `roles`, `apiKey`, `feature`, `keys`. Default: none (the tool, its annotations, session and user only).
   * @example
   * { context: { summarize: (call) => ({ model: "gpt-4o", inputTokens: tokensIn(call.arguments.text), maxOutputTokens: 500 }) } }
   */
  readonly context?: ToolContextOption;
  /** Deployment environment of the calls. Default: the guardian's. */
  readonly environment?: string;
  /** Seconds a person has to answer a confirmation question, or to open an approval page. Default: 120. */
  readonly confirmTimeout?: number;
  /**
   * Seconds a call under `require_approval` waits for a person to decide once the client opened the approval page
   * (never past the request's `approval_ttl`). The request outlives the wait: the same call retried after a person
   * approved runs once. Default: 50, under the 60 s after which the SDK's Client gives up on a request.
   */
  readonly approvalTimeout?: number;
  /** Called with every decision (a refused one included) and its call. Default: none. */
  readonly onDecision?: (decision: Decision, call: ToolCall) => void;
  /** pino-shaped logger for settle failures and calls that could not be decided. Default: silent. */
  readonly logger?: Logger;
}

/** Options of `guardTools()`: MCP options, plus either a guardian or the options to create one. */
export type GuardToolsOptions = McpGuardOptions & GuardianChoice;

const ADAPTER = "mcp";
const LABEL = "guardTools()";
const DEFAULT_CONFIRM_TIMEOUT_SECONDS = 120;
const DEFAULT_APPROVAL_TIMEOUT_SECONDS = 50;
const MCP_OPTION_SPEC: OptionSpec = {
  guardian: ["object"],
  context: ["function", "object"],
  environment: ["string"],
  confirmTimeout: ["number"],
  approvalTimeout: ["number"],
  onDecision: ["function"],
  logger: ["object"],
};

/**
 * The decision of each running call, by its request's abort signal (which every copy of `extra` shares). A Map, not a
 * WeakMap: every entry is deleted when its call returns, and a WeakMap's short-lived keys cost the collector more.
 */
const decisions = new Map<AbortSignal, Decision>();

/**
 * The decision that let this tool call run, for its handler: settle a model call's reservation with the provider's
 * usage. Undefined outside a guarded call. Whatever the handler does not settle is spent at its estimate when it returns.
 * @example
 * server.registerTool("summarize", { inputSchema: { text: z.string() } }, async ({ text }, extra) => {
 *   const reply = await openai.chat.completions.create({ model: "gpt-4o", max_tokens: 500, messages: [{ role: "user", content: text }] });
 *   await toolDecision(extra)?.settle(reply.usage);
 *   return { content: [{ type: "text", text: reply.choices[0]?.message.content ?? "" }] };
 * });
 */
export function toolDecision(extra: { readonly signal: AbortSignal }): Decision | undefined {
  return decisions.get(extra.signal);
}

/** The refusal of a call that could not be decided (a context function or the store failed), logged. */
function couldNotDecide(guard: ToolGuard, call: ToolCall, error: unknown): Decision {
  guard.logger.error({ err: error, tool: call.name }, "hexarch: could not decide an MCP tool call; it was refused");
  const message = error instanceof Error ? error.message : String(error);
  return new Decision({ outcome: "error", reason: `the guardrail could not decide the call (${message})` });
}

function argumentsOf(request: RawToolCall): Readonly<Record<string, unknown>> {
  const args = request.params?.arguments;
  return typeof args === "object" && args !== null && !Array.isArray(args) ? (args as Record<string, unknown>) : {};
}

/** Everything a guarded server's calls are decided with, resolved once in guardTools(). */
interface ToolGuard {
  readonly guardian: Guardian;
  readonly parts: ServerParts;
  readonly options: McpGuardOptions;
  readonly logger: Logger;
  readonly confirmTimeoutMs: number;
  readonly approvalTimeoutMs: number;
}

/** What deciding a call ends in: run it under this decision, or answer with this refusal. */
type Verdict = { readonly run: Decision } | { readonly refusal: CallToolResult };

/** Calls `onDecision`; an app callback that throws is logged, and never turns the call into a protocol error. */
function report(guard: ToolGuard, decision: Decision, call: ToolCall): void {
  try {
    guard.options.onDecision?.(decision, call);
  } catch (error) {
    guard.logger.error({ err: error, tool: call.name }, "hexarch: onDecision threw");
  }
}

/**
 * Decides the call once: the engine, then the approval step when a `require_approval` rule refused it or the call
 * sends back an approval id, bound to the tool, its arguments and the session (computed only then).
 */
async function decideOnce(guard: ToolGuard, call: ToolCall, ctx: GuardContext): Promise<Decision> {
  const { guardian } = guard;
  const decided = ctx.approval === undefined ? await guardian.decideNow(ctx) : undefined;
  if (decided !== undefined && decided.kind !== "approval") return decided;
  const binding = toolBinding(call.name, call.arguments, ctx.client ?? "");
  if (binding === undefined) return decided ?? (await guardian.decideNow(ctx));
  return decideUnderApproval(guardian, ctx, binding, decided, argumentsShown(call.arguments));
}

/** decideOnce, or the refusal of a call that could not be decided. */
async function decideOrRefuse(guard: ToolGuard, call: ToolCall, ctx: GuardContext): Promise<Decision> {
  try {
    return await decideOnce(guard, call, ctx);
  } catch (error) {
    return couldNotDecide(guard, call, error);
  }
}

/**
 * Decides one call, asking the person for each policy that wants confirmation (a form) or approval (the approval page,
 * in URL mode; the call goes on once a person decided). A tagged result, not `instanceof`: a guardian from the
 * package's other module format (require beside import) makes Decisions of another class.
 */
async function decideCall(guard: ToolGuard, call: ToolCall, approvalId: string | undefined): Promise<Verdict> {
  const { parts, options } = guard;
  const refuse = (decision: Decision, failure?: ConfirmationAnswer | ApprovalAnswer): Verdict => {
    report(guard, decision, call);
    const why = failure === undefined || !("failure" in failure) ? {} : { confirmation: failure.failure, detail: failure.detail };
    return { refusal: refusalResult({ tool: call.name, decision, ...why }) };
  };
  let context: GuardContext;
  try {
    // Only a `context` function can make the call wait before its decision.
    const source = factsSourceFor(options.context, call.name);
    const facts: unknown = typeof source === "function" ? await source(call) : source;
    context = contextFor(call, clientOf(parts.protocol, call.extra), facts, options.environment);
  } catch (error) {
    return refuse(couldNotDecide(guard, call, error));
  }
  if (approvalId !== undefined) context = { ...context, approval: approvalId };
  let decision = await decideOrRefuse(guard, call, context);
  const confirmed: string[] = [];
  const approvalsAsked: string[] = [];
  while (decision.outcome === "confirm" && decision.policyId !== undefined) {
    const policy = decision.policyId;
    if (decision.kind === "approval") {
      if (decision.approval === undefined || approvalsAsked.includes(policy)) break;
      const times = { answerMs: guard.confirmTimeoutMs, decideMs: guard.approvalTimeoutMs };
      const answer = await askForApproval(parts.protocol, guard.guardian, call.name, decision.approval, call.extra, times, guard.logger);
      if (!answer.decided) return refuse(decision, answer);
      approvalsAsked.push(policy);
    } else {
      if (confirmed.includes(policy)) break;
      const answer = await askToConfirm(parts.protocol, call.name, decision, call.extra, guard.confirmTimeoutMs);
      if (!answer.confirmed) return refuse(decision, answer);
      confirmed.push(policy);
    }
    decision = await decideOrRefuse(guard, call, { ...context, confirm: confirmed });
  }
  report(guard, decision, call);
  return decision.isAllowed() ? { run: decision } : { refusal: refusalResult({ tool: call.name, decision }) };
}

/** Ends a reservation the handler did not settle at its estimate (a settle the handler made already wins). */
function spendEstimate(guard: ToolGuard, tool: string, decision: Decision): void {
  const { reserved } = decision;
  if (reserved === undefined) return;
  decision
    .settle(reserved)
    .catch((error: unknown) => guard.logger.error({ err: error, tool }, "hexarch: could not settle an MCP tool call"));
}

function guardedRunner(guard: ToolGuard, inner: RequestRunner): RequestRunner {
  return async function hexarchToolCall(request: RawToolCall, extra: ToolCallExtra): Promise<unknown> {
    // A call the server would refuse itself (unknown or disabled tool, no name) gets the server's own answer.
    const name = request.params?.name;
    const tool = typeof name === "string" ? guard.parts.toolNamed(name) : undefined;
    if (tool === undefined) return inner(request, extra);
    const call: ToolCall = { name: name as string, arguments: argumentsOf(request), annotations: tool.annotations, extra };
    const verdict = await decideCall(guard, call, approvalIdOf(request));
    if ("refusal" in verdict) return verdict.refusal;
    decisions.set(extra.signal, verdict.run);
    try {
      return await inner(request, extra);
    } finally {
      decisions.delete(extra.signal);
      spendEstimate(guard, call.name, verdict.run);
    }
  };
}

/** A timeout option in milliseconds: `fallback` seconds when not given; a bad one throws PolicyConfigError. */
function checkTimeout(option: "confirmTimeout" | "approvalTimeout", seconds: number | undefined, fallback: number): number {
  if (seconds === undefined) return fallback * 1000;
  if (Number.isFinite(seconds) && seconds > 0 && seconds <= 86_400) return seconds * 1000;
  throw new PolicyConfigError(
    [
      {
        file: "<options>",
        path: `${LABEL}.${option}`,
        message: `${seconds} is not a time to ${option === "confirmTimeout" ? "answer" : "wait"}`,
        fix: `use a positive number of seconds up to 86400, e.g. ${fallback}`,
      },
    ],
    `invalid options for ${LABEL}`,
  );
}

/**
 * Guards every tool of an McpServer: each call is decided against the policies before its handler runs, for tools
 * registered before and after this call. The call's context: `resource` = the tool name, `resourceType: "mcp_tool"`,
 * `operation` from its annotations with MCP's defaults (`readOnlyHint: true` → read, `destructiveHint: false` →
 * write, otherwise delete), `client` = the transport's session id (else one id per connection), `user` from the
 * request's auth info. A refusal is a tool result (`isError: true`, a text saying what was refused and when to retry,
 * the decision under `_meta["hexarch/decision"]`), never a protocol error. `require_confirmation` asks the person
 * through an elicitation form when the client supports it, and runs the tool only after they accept.
 * `require_approval` shows the approval page through an elicitation in URL mode (or the refusal carries its address)
 * and runs the tool once, after a person approved this very call (tool, arguments, session). Listings are unchanged.
 * Loads the policy file now: a broken file or a bad option throws PolicyConfigError here. Returns the server, guarded.
 * @example
 * const server = guardTools(new McpServer({ name: "files", version: "1.0.0" }));      // finds hexarch.yaml
 * server.registerTool("delete_file", { inputSchema: { path: z.string() }, annotations: { destructiveHint: true } }, deleteFile);
 * await server.connect(new StdioServerTransport());
 */
export function guardTools<Server extends McpServer>(server: Server, options?: GuardToolsOptions): Server {
  // The MCP options alone first, so an HTTP-only option (headers, secret…) is named as unknown here.
  validateOptions(options, { ...GUARDIAN_OPTION_SPEC, ...MCP_OPTION_SPEC }, LABEL);
  checkContextOption(options?.context);
  const confirmTimeoutMs = checkTimeout("confirmTimeout", options?.confirmTimeout, DEFAULT_CONFIRM_TIMEOUT_SECONDS);
  const approvalTimeoutMs = checkTimeout("approvalTimeout", options?.approvalTimeout, DEFAULT_APPROVAL_TIMEOUT_SECONDS);
  const parts = serverParts(server);
  const setup = setupHexarch<GuardToolsOptions>(ADAPTER, options, LABEL, MCP_OPTION_SPEC);
  const guard: ToolGuard = {
    guardian: setup.guardian,
    parts,
    options: setup.options,
    logger: setup.options.logger ?? SILENT_LOGGER,
    confirmTimeoutMs,
    approvalTimeoutMs,
  };
  hookToolCalls(parts.protocol, (inner) => guardedRunner(guard, inner));
  return server;
}

export { APPROVAL_META_KEY, DECISION_META_KEY } from "./mcp/tool-results.js";
export type { ConfirmationFailure, RefusalMeta } from "./mcp/tool-results.js";
export { TOOL_RESOURCE_TYPE, operationOf } from "./mcp/tool-context.js";
export type { ToolCall, ToolContextOption, ToolFacts, ToolFactsSource } from "./mcp/tool-context.js";
export type { ToolCallExtra } from "./mcp/server-hooks.js";
