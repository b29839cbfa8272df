// The options every HTTP adapter accepts, and their one-time validation into PolicyConfigError problems.
import { costProblem } from "../../engine/amount.js";
import { tokenCountProblem } from "../../engine/pricing/token-cost.js";
import type { Decision } from "../../engine/decision.js";
import type { Guardian, GuardianOptions } from "../../guardian/create-guardian.js";
import { PolicyConfigError, type ConfigProblem } from "../../errors/config-error.js";
import type { Logger } from "../../errors/warnings.js";
import { suggestionFix } from "../../engine/config/suggest.js";
import { MIN_SECRET_LENGTH, SHORT_SECRET_FIX } from "./confirm-secret.js";
import type { HeaderSwitches } from "./rate-headers.js";
import { rateLimitOptionFix } from "./rate-limit-options.js";

/** A value, or a function of the framework's request that computes it (undefined = not stated). */
export type FromRequest<Req, T> = T | ((req: Req) => T | undefined);

/** What an adapter can tell the engine about a request, beyond method, path and client. */
export interface RequestFacts<Req> {
  /** Operation tag(s). Default: from the method (GET/HEAD → read, POST → create, PUT/PATCH → update, DELETE → delete). */
  readonly operation?: FromRequest<Req, string | readonly string[]>;
  /** Resource used by the route, e.g. `openai`. Default: none stated. */
  readonly resource?: FromRequest<Req, string>;
  readonly resourceType?: FromRequest<Req, string>;
  /** Estimated cost charged against budgets (settle the real one with `charge()`). Default: the rule's cost, else 1. */
  readonly cost?: FromRequest<Req, number>;
  /** The AI model the route calls, e.g. `gpt-4o` (priced by `prices:`, checked by `models:`). Default: none stated. */
  readonly model?: FromRequest<Req, string>;
  /** Input tokens the route sends the model; reserved at the model's input price. Default: 0. */
  readonly inputTokens?: FromRequest<Req, number>;
  /** The most output tokens the model may produce (its `max_tokens`); reserved at the output price. Default: 0. */
  readonly maxOutputTokens?: FromRequest<Req, number>;
  /** Authenticated user id (for `key: user` and `allowed_users`). */
  readonly user?: FromRequest<Req, string>;
  readonly roles?: FromRequest<Req, readonly string[]>;
  /** API key, or a digest of it (for `key: api_key`). */
  readonly apiKey?: FromRequest<Req, string>;
  /** Facts checked by `require_facts`. */
  readonly facts?: FromRequest<Req, Readonly<Record<string, unknown>>>;
  /** Feature flag the route exercises. */
  readonly feature?: FromRequest<Req, string>;
  /** Deployment environment. Default: the guardian's. */
  readonly environment?: FromRequest<Req, string>;
}

/** Options shared by every HTTP adapter (`hexarch()` and `guard()` in Express, Koa and Next.js). */
export interface HttpGuardOptions<Req> extends RequestFacts<Req> {
  /** Custom client key (an account, a tenant…). Default: the peer address, IPv6 grouped by `ipv6Prefix`. */
  readonly clientKey?: (req: Req) => string | undefined;
  /** Bits of an IPv6 address that identify one client. Default: 64. */
  readonly ipv6Prefix?: number;
  /**
   * Whether every router of the app matches paths case-sensitively, so `route:` scopes may compare with case.
   * Default: false (compare without case, which can only widen a rule) in Express (a `Router()` made with defaults
   * ignores the app's `case sensitive routing`), Koa (@koa/router's default) and Fetch (the app's routing is
   * unknown); true in Next.js, whose router matches with case. Set true only when no router ignores case.
   */
  readonly caseSensitive?: boolean;
  /** Confirm the app's own way instead of tokens: return true when the request is confirmed. Default: tokens. */
  readonly confirm?: (req: Req) => boolean | Promise<boolean>;
  /** Requests to leave alone (health checks…). Default: none. */
  readonly skip?: (req: Req) => boolean;
  /** `false` sends no policy headers; an object switches groups. Default: IETF RateLimit fields, budget warnings, Retry-After. */
  readonly headers?: boolean | Partial<HeaderSwitches>;
  /** HMAC secret for confirmation tokens, at least 16 characters. Default: `HEXARCH_SECRET`, else random per process. */
  readonly secret?: string;
  /** Lifetime of confirmation tokens in seconds. Default: 300. */
  readonly confirmTtl?: number;
  /** Called with every decision. Default: none. */
  readonly onDecision?: (decision: Decision, req: Req) => void;
  /** pino-shaped logger for decision events and warnings. Default: silent. */
  readonly logger?: Logger;
  /** Prefix of problem `type` URIs. Default: `urn:hexarch:problem:`. */
  readonly problemTypeBase?: string;
}

/** Options of an adapter's `hexarch()`: HTTP options, plus either a guardian or the options to create one. */
export type GuardianChoice = { readonly guardian?: Guardian } & Omit<GuardianOptions, "environment" | "logger">;

type Kind = "string" | "number" | "boolean" | "function" | "object" | "array";

/** Accepted kinds of each option, by name. */
export type OptionSpec = Readonly<Record<string, readonly Kind[]>>;

/**
 * The spec of an options type: every key of `Options`, none else. Specs are declared `satisfies SpecOf<…>`, so an
 * option added to the interface and not to its check (or the other way round) fails the build.
 */
export type SpecOf<Options> = { readonly [Key in keyof Required<Options>]: readonly Kind[] };

const VALUE_OR_FN = (kind: Kind): readonly Kind[] => [kind, "function"];

/** Request facts and HTTP options: what `guard()` accepts in every adapter. */
export const HTTP_OPTION_SPEC = Object.freeze({
  operation: ["string", "array", "function"],
  resource: VALUE_OR_FN("string"),
  resourceType: VALUE_OR_FN("string"),
  cost: VALUE_OR_FN("number"),
  model: VALUE_OR_FN("string"),
  inputTokens: VALUE_OR_FN("number"),
  maxOutputTokens: VALUE_OR_FN("number"),
  user: VALUE_OR_FN("string"),
  roles: VALUE_OR_FN("array"),
  apiKey: VALUE_OR_FN("string"),
  facts: VALUE_OR_FN("object"),
  feature: VALUE_OR_FN("string"),
  environment: VALUE_OR_FN("string"),
  clientKey: ["function"],
  ipv6Prefix: ["number"],
  caseSensitive: ["boolean"],
  confirm: ["function"],
  skip: ["function"],
  headers: ["boolean", "object"],
  secret: ["string"],
  confirmTtl: ["number"],
  onDecision: ["function"],
  logger: ["object"],
  problemTypeBase: ["string"],
  guardian: ["object"],
} satisfies SpecOf<HttpGuardOptions<unknown> & { readonly guardian?: Guardian }>) as OptionSpec;

/** Options that create a guardian: accepted by `hexarch()` when no `guardian` is given. */
export const GUARDIAN_OPTION_SPEC = Object.freeze({
  policyFile: ["string"],
  policyText: ["string"],
  policies: ["array"],
  cwd: ["string"],
  store: ["object"],
  mode: ["string"],
  clock: ["function"],
  keys: ["object"],
  prefix: ["string"],
  storeRetryAfter: ["number"],
  env: ["object"],
  decisionLog: ["boolean"],
  notifier: ["object"],
  onApprovalStep: ["function"],
  telemetry: ["boolean", "object"],
  budgetsPageUrl: ["string"],
} satisfies SpecOf<Omit<GuardianOptions, "environment" | "logger">>) as OptionSpec;

const HEADER_SWITCHES = ["standard", "legacy", "budget", "retryAfter"];
const MODES = ["strict", "warn", "off"];

function kindOf(value: unknown): Kind | "other" {
  if (Array.isArray(value)) return "array";
  const type = typeof value;
  if (type === "string" || type === "number" || type === "boolean" || type === "function") return type;
  return type === "object" && value !== null ? "object" : "other";
}

function problem(label: string, path: string, message: string, fix: string): ConfigProblem {
  return { file: "<options>", path: `${label}.${path}`, message, fix };
}

function refine(label: string, options: Record<string, unknown>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const { ipv6Prefix, confirmTtl, secret, headers, logger, guardian, mode, cost } = options;
  const costRefusal = typeof cost === "number" ? costProblem(cost) : undefined;
  if (costRefusal !== undefined)
    problems.push(
      problem(label, "cost", costRefusal, "give the estimate as a number of at least 0, e.g. cost: 0.05, or as a function of the request"),
    );
  for (const name of ["inputTokens", "maxOutputTokens"] as const) {
    const tokens = options[name];
    const refused = typeof tokens === "number" ? tokenCountProblem(tokens, name) : undefined;
    if (refused !== undefined)
      problems.push(problem(label, name, refused, `give ${name} as a whole number, or as a function of the request`));
  }
  if (typeof mode === "string" && !MODES.includes(mode))
    problems.push(problem(label, "mode", `unknown mode "${mode}"`, suggestionFix(mode, MODES, "modes")));
  if (typeof ipv6Prefix === "number" && !(Number.isInteger(ipv6Prefix) && ipv6Prefix >= 1 && ipv6Prefix <= 128)) {
    problems.push(
      problem(label, "ipv6Prefix", `${ipv6Prefix} is not a prefix length`, "use a whole number from 1 to 128 (64 groups each /64 network)"),
    );
  }
  if (typeof confirmTtl === "number" && !(Number.isFinite(confirmTtl) && confirmTtl > 0)) {
    problems.push(problem(label, "confirmTtl", `${confirmTtl} is not a lifetime`, "use a positive number of seconds, e.g. 300"));
  }
  if (typeof secret === "string" && secret.length < MIN_SECRET_LENGTH) {
    problems.push(problem(label, "secret", `the secret is ${secret.length} characters long`, SHORT_SECRET_FIX));
  }
  if (kindOf(headers) === "object") {
    for (const [key, value] of Object.entries(headers as object)) {
      if (!HEADER_SWITCHES.includes(key))
        problems.push(problem(label, `headers.${key}`, `unknown header switch "${key}"`, suggestionFix(key, HEADER_SWITCHES, "switches")));
      else if (typeof value !== "boolean")
        problems.push(problem(label, `headers.${key}`, `expected true or false, got ${kindOf(value)}`, `write headers: { ${key}: true }`));
    }
  }
  if (
    kindOf(logger) === "object" &&
    !["info", "warn", "error"].every((m) => typeof (logger as Record<string, unknown>)[m] === "function")
  ) {
    problems.push(
      problem(label, "logger", "the logger lacks info, warn or error methods", "pass a pino-shaped logger, e.g. pino() or console"),
    );
  }
  if (kindOf(guardian) === "object" && typeof (guardian as Partial<Guardian>).evaluate !== "function") {
    problems.push(problem(label, "guardian", "not a Guardian", "pass the result of createGuardian()"));
  }
  return problems;
}

/**
 * Checks options once, at construction: unknown keys (with the nearest known one), wrong types and bad values all
 * throw one PolicyConfigError listing every problem.
 * @param label how the call appears in messages, e.g. `hexarch()`.
 * @example validateOptions({ heders: false }, HTTP_OPTION_SPEC, "hexarch()") // throws: did you mean "headers"?
 */
export function validateOptions(options: unknown, spec: OptionSpec, label: string): void {
  if (options === undefined) return;
  if (kindOf(options) !== "object") {
    throw new PolicyConfigError([
      problem(label, "", `options must be an object, got ${kindOf(options)}`, "pass an object such as { headers: false }"),
    ]);
  }
  const record = options as Record<string, unknown>;
  const known = Object.keys(spec);
  const problems: ConfigProblem[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (value === undefined) continue;
    const kinds = spec[key];
    if (kinds === undefined) {
      problems.push(problem(label, key, `unknown option "${key}"`, rateLimitOptionFix(key) ?? suggestionFix(key, known, "known options")));
      continue;
    }
    const actual = kindOf(value);
    if (!(kinds as readonly string[]).includes(actual)) {
      problems.push(problem(label, key, `expected ${kinds.join(" or ")}, got ${actual}`, `give ${key} as ${kinds.join(" or ")}`));
    }
  }
  problems.push(...refine(label, record));
  if (problems.length > 0) throw new PolicyConfigError(problems, `invalid options for ${label}`);
}

/**
 * The refusal handler every adapter takes as `onDenied`: it receives a `DeniedRequest` (the decision, the answer
 * hexarch would send and the framework's request objects) and answers the request itself. Express and Koa answer
 * through `res`/`ctx` and return nothing or a promise; Fetch and Next return the `Response`, or a promise of it.
 */
export type OnDenied<Denied, Answered = void> = (denied: Denied) => Answered | Promise<Answered>;
