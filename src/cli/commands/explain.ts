// `hexarch explain`: the decision the middleware would take for one request, rule by rule, and the HTTP answer.
import { STATUS_CODES } from "node:http";
import { InvalidArgumentError, type Command } from "commander";
import { answerFor, type AnswerOptions, type HttpAnswer } from "../../adapters/core/index.js";
import type { Decision, ExplanationEntry, GuardContext, RuleRef } from "../../index.js";
import { EXIT, UsageError, type ExitCode } from "../exit-codes.js";
import { guardianFor, loadPolicySource } from "../policy-source.js";
import type { Act } from "../program.js";
import { factValue, parseInstant, requestContext } from "../request.js";
import { tokenCountProblem } from "../../engine/pricing/token-cost.js";
import type { Palette, Terminal } from "../terminal.js";

interface ExplainOptions {
  readonly method?: string;
  readonly path?: string;
  readonly policy: string[];
  readonly operation: string[];
  readonly resource?: string;
  readonly user?: string;
  readonly client?: string;
  readonly env?: string;
  readonly fact: [string, string | number | boolean][];
  readonly model?: string;
  readonly inputTokens?: number;
  readonly maxOutputTokens?: number;
  readonly at?: string;
  readonly json?: boolean;
}

/** How long the middleware's confirmation tokens live by default (its `confirmTtl`, 300 s). */
const DEFAULT_CONFIRM_TTL_MS = 300_000;

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseFact(text: string, previous: [string, string | number | boolean][]): [string, string | number | boolean][] {
  const equals = text.indexOf("=");
  if (equals < 1) throw new InvalidArgumentError(`write a fact as name=value, e.g. --fact backup_verified=true`);
  return [...previous, [text.slice(0, equals), factValue(text.slice(equals + 1))]];
}

function parseTokens(text: string): number {
  const tokens = Number(text);
  const problem = /^\d+$/.test(text.trim()) ? tokenCountProblem(tokens, "the token count") : `"${text}" is not a whole number`;
  if (problem !== undefined) throw new InvalidArgumentError(problem);
  return tokens;
}

/** `safe_delete#0 (hexarch.yaml:17:9)`. */
function ruleLabel(rule: RuleRef, file: string): string {
  return `${rule.policyId}#${rule.index}${rule.line === undefined ? "" : ` (${file}:${rule.line}:${rule.column ?? 1})`}`;
}

/** The answer's status line: `428 Precondition Required`, or `200` standing for "the handler runs". */
function statusLine(answer: HttpAnswer): string {
  return answer.proceed
    ? "passes to the route handler (which answers, e.g. 200)"
    : `${answer.status} ${STATUS_CODES[answer.status] ?? ""}`.trimEnd();
}

function outcomeColour(decision: Decision, paint: Palette): (text: string) => string {
  if (decision.outcome === "allow") return paint.green;
  return decision.outcome === "warn" ? paint.yellow : paint.red;
}

function describeRequest(ctx: GuardContext): string {
  const parts = [ctx.method === undefined ? "function call" : `${ctx.method} ${ctx.route ?? "/"}`];
  const operation = ctx.operation === undefined ? undefined : typeof ctx.operation === "string" ? ctx.operation : ctx.operation.join(", ");
  for (const [label, value] of [
    ["operation", operation],
    ["resource", ctx.resource],
    ["user", ctx.user],
    ["client", ctx.client],
    ["environment", ctx.environment],
    ["model", ctx.model],
    ["input tokens", ctx.inputTokens],
    ["max output tokens", ctx.maxOutputTokens],
  ] as const) {
    if (value !== undefined) parts.push(`${label} ${value}`);
  }
  if (ctx.facts !== undefined) parts.push(`facts ${JSON.stringify(ctx.facts)}`);
  return parts.join(" · ");
}

function printRules(terminal: Terminal, entries: readonly ExplanationEntry[], file: string): void {
  const { paint } = terminal;
  terminal.out(paint.bold("Rules"));
  if (entries.length === 0) terminal.out("  (the file has no rules)");
  for (const entry of entries) {
    const mark = entry.applied ? paint.bold("applied    ") : paint.dim("not applied");
    terminal.out(`  ${mark}  ${ruleLabel(entry.rule, file)}  ${entry.rule.summary}`);
    terminal.out(`               ${entry.applied ? entry.why : paint.dim(entry.why)}`);
  }
}

function printDecision(terminal: Terminal, decision: Decision, file: string): void {
  const { paint } = terminal;
  const colour = outcomeColour(decision, paint);
  terminal.out(`${paint.bold("Decision")}  ${colour(decision.outcome.toUpperCase())}  ${decision.reason}`);
  if (decision.rule !== undefined) terminal.out(`          rule ${ruleLabel(decision.rule, file)}`);
  if (decision.wouldBe !== undefined) terminal.out(`          strict enforcement would answer ${decision.wouldBe}`);
  if (decision.retryAfter !== undefined) terminal.out(`          retry after ${decision.retryAfter} s`);
  for (const counter of decision.counters) {
    const left = `${counter.used} of ${counter.limit} used, ${counter.remaining} left`;
    terminal.out(
      `          counter ${counter.rule.policyId}#${counter.rule.index} ${counter.window} (${counter.partition}): ${left}, resets ${new Date(counter.resetAt).toISOString()}`,
    );
  }
  for (const warning of decision.warnings) terminal.out(`          ${paint.yellow("warning")} ${warning.message}`);
}

function printAnswer(terminal: Terminal, answer: HttpAnswer): void {
  const { paint } = terminal;
  terminal.out(`${paint.bold("Response")}  ${statusLine(answer)}`);
  for (const [name, value] of Object.entries(answer.headers)) terminal.out(`  ${name}: ${value}`);
  if (answer.body !== undefined) for (const line of JSON.stringify(answer.body, null, 2).split("\n")) terminal.out(`  ${line}`);
}

/** The middleware would issue a signed token with a 428; explain shows where it goes, without signing one. */
function confirmPlaceholder(decision: Decision, at: number): AnswerOptions {
  if (decision.outcome !== "confirm" || decision.policyId === undefined) return {};
  return {
    confirm: {
      issued: { token: "<token issued by the middleware>", expiresAt: at + DEFAULT_CONFIRM_TTL_MS, policies: [decision.policyId] },
    },
  };
}

async function explain(terminal: Terminal, file: string | undefined, options: ExplainOptions): Promise<ExitCode> {
  const at = options.at === undefined ? Date.now() : parseInstant(options.at);
  const source = loadPolicySource(terminal, file);
  const guardian = guardianFor(source, { clock: () => at, env: terminal.env, cwd: terminal.cwd });
  const ctx = requestContext(
    {
      method: options.method,
      path: options.path,
      operation: options.operation.length === 0 ? undefined : options.operation,
      resource: options.resource,
      user: options.user,
      client: options.client,
      env: options.env,
      facts: options.fact.length === 0 ? undefined : Object.fromEntries(options.fact),
      model: options.model,
      input_tokens: options.inputTokens,
      max_output_tokens: options.maxOutputTokens,
    },
    at,
  );
  const policies = options.policy;
  for (const id of policies)
    if (!source.set.policies.has(id))
      throw new UsageError(`no policy "${id}" in ${source.file}; it has ${[...source.set.policies.keys()].join(", ")}`);
  const decision = policies.length === 0 ? await guardian.evaluate(ctx) : await guardian.check(policies, ctx);
  const answer = answerFor(decision, { now: at, ...confirmPlaceholder(decision, at) });
  const entries = decision.explain();
  await guardian.close();
  if (options.json === true) {
    const { now: _now, ...request } = ctx;
    const response = {
      status: answer.proceed ? null : answer.status,
      proceed: answer.proceed,
      headers: answer.headers,
      body: answer.body ?? null,
    };
    terminal.out(
      JSON.stringify(
        { file: source.file, at: new Date(at).toISOString(), request, decision: decision.toJSON(), rules: entries, response },
        null,
        2,
      ),
    );
    return EXIT.OK;
  }
  terminal.out(`${terminal.paint.bold("Request")}   ${describeRequest(ctx)}`);
  terminal.out(
    `${terminal.paint.bold("At")}        ${new Date(at).toISOString()}${policies.length === 0 ? "" : `, policies ${policies.join(", ")} only`}`,
  );
  printDecision(terminal, decision, source.file);
  terminal.out("");
  printRules(terminal, entries, source.file);
  terminal.out("");
  printAnswer(terminal, answer);
  return EXIT.OK;
}

/**
 * Adds `hexarch explain [file] --method … --path … [--policy id] [--operation …] …` to the program.
 * @example registerExplain(program, terminal, act)
 */
export function registerExplain(program: Command, terminal: Terminal, act: Act): void {
  program
    .command("explain")
    .description("show the decision the middleware would take for one request, which rules applied and why, and the HTTP answer")
    .argument("[file]", "policy file (default: HEXARCH_POLICY_FILE, else hexarch.yaml here or above)")
    .option("--method <method>", "HTTP method, e.g. DELETE")
    .option("--path <path>", "request path, e.g. /users/7")
    .option(
      "--policy <id>",
      "apply only this policy, as guard(id) does (repeatable); default: every policy, as hexarch() does",
      collect,
      [],
    )
    .option("--operation <tag>", "operation tag (repeatable); default: from the method", collect, [])
    .option("--resource <name>", "resource the request uses, e.g. openai")
    .option("--user <id>", "authenticated user")
    .option("--client <address>", "client address or key", "127.0.0.1")
    .option("--env <name>", "deployment environment (default: HEXARCH_ENV, then NODE_ENV, then development)")
    .option("--fact <name=value>", "a fact for require_facts (repeatable)", parseFact, [])
    .option("--model <name>", "the AI model the request calls, priced by prices:, e.g. gpt-4o")
    .option("--input-tokens <n>", "input tokens the request sends the model", parseTokens)
    .option("--max-output-tokens <n>", "the most output tokens the model may produce (max_tokens)", parseTokens)
    .option("--at <time>", "the instant to decide at, with an offset (default: now)")
    .option("--json", "print the request, decision, rules and response as JSON")
    .addHelpText(
      "after",
      [
        "",
        "Counters start empty: the request is the first of its window. Exit code 0 whatever the decision;",
        "use `hexarch test` to assert decisions.",
        "",
        "Examples:",
        "  $ hexarch explain --method DELETE --path /users/7",
        "  $ hexarch explain --method POST --path /migrate --operation migrate --env production --fact backup_verified=true",
        "  $ hexarch explain --method GET --path /reports --at 2026-11-27T16:30:00-05:00 --json",
        "  $ hexarch explain --method POST --path /chat --resource openai --model gpt-4o --input-tokens 1200 --max-output-tokens 800",
        "",
      ].join("\n"),
    )
    .action(act((file: string | undefined, options: ExplainOptions) => explain(terminal, file, options)));
}
