// Response headers built from a decision: IETF RateLimit fields, legacy X-RateLimit-*, Retry-After and budget warnings.
import type { CounterReport, Decision, RuleRef } from "../../engine/decision.js";

/** Which headers to send. */
export interface HeaderSwitches {
  /** `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers-08 and later). Default: true. */
  readonly standard: boolean;
  /** `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset` (epoch seconds). Default: false. */
  readonly legacy: boolean;
  /** `Hexarch-Budget-Warning` on calls that pass a budget's warning threshold. Default: true. */
  readonly budget: boolean;
  /** `Retry-After` on refusals that say when to retry. Default: true. */
  readonly retryAfter: boolean;
}

/** The header name of budget warnings. */
export const BUDGET_WARNING_HEADER = "Hexarch-Budget-Warning";

/** Every header on, except the legacy ones. */
export const DEFAULT_HEADERS: HeaderSwitches = Object.freeze({ standard: true, legacy: false, budget: true, retryAfter: true });

/** Every header off. */
export const NO_HEADERS: HeaderSwitches = Object.freeze({ standard: false, legacy: false, budget: false, retryAfter: false });

function secondsUntil(epochMs: number, now: number): number {
  return Math.max(0, Math.ceil((epochMs - now) / 1000));
}

/** A structured-field decimal: at most three fractional digits. */
function sfDecimal(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 1000) / 1000);
}

const SAFE_STRING = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** A structured-field string: quotes and backslashes escaped, non-printable characters dropped. */
function sfString(text: string): string {
  if (SAFE_STRING.test(text)) return `"${text}"`;
  return `"${text.replace(/[^\x20-\x7e]/g, "").replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Names counters after their policy; a policy with several counters gets its rule index and window appended. */
function counterName(c: CounterReport, rates: readonly CounterReport[]): string {
  const id = c.rule.policyId;
  if (rates.length > 1 && rates.some((other) => other !== c && other.rule.policyId === id)) return `${id}.${c.rule.index}.${c.window}`;
  return id;
}

/** The fields of a policy's only rate counter that stay the same from request to request. */
interface LoneCounterFields {
  readonly limit: number;
  readonly windowSeconds: number;
  /** The whole `RateLimit-Policy` value. */
  readonly policy: string;
  /** The start of the `RateLimit` value, up to `r=`. */
  readonly statePrefix: string;
}

/** By rule: most decisions carry one rate counter, whose `RateLimit-Policy` value never changes. */
const loneCounterFields = new WeakMap<RuleRef, LoneCounterFields>();

function fieldsOfLoneCounter(c: CounterReport): LoneCounterFields {
  const known = loneCounterFields.get(c.rule);
  if (known !== undefined && known.limit === c.limit && known.windowSeconds === c.windowSeconds) return known;
  const name = sfString(c.rule.policyId);
  const fields = { limit: c.limit, windowSeconds: c.windowSeconds, policy: `${name};q=${c.limit};w=${c.windowSeconds}`, statePrefix: `${name};r=` };
  loneCounterFields.set(c.rule, fields);
  return fields;
}

function writeStandardFields(target: Record<string, string>, counters: readonly CounterReport[], now: number): void {
  const only = counters.length === 1 ? counters[0] : undefined;
  if (only !== undefined && only.kind === "rate") {
    const fields = fieldsOfLoneCounter(only);
    target["RateLimit-Policy"] = fields.policy;
    target["RateLimit"] = `${fields.statePrefix}${only.remaining};t=${secondsUntil(only.resetAt, now)}`;
    return;
  }
  const rates = counters.filter((c) => c.kind === "rate");
  let policy = "";
  let state = "";
  for (const c of rates) {
    const name = sfString(counterName(c, rates));
    const separator = policy === "" ? "" : ", ";
    policy += `${separator}${name};q=${c.limit};w=${c.windowSeconds}`;
    state += `${separator}${name};r=${c.remaining};t=${secondsUntil(c.resetAt, now)}`;
  }
  if (policy === "") return;
  target["RateLimit-Policy"] = policy;
  target["RateLimit"] = state;
}

/**
 * `RateLimit-Policy` (quota `q`, window `w` in seconds) and `RateLimit` (remaining `r`, seconds to reset `t`) for
 * every rate counter of the decision, each item named after its policy.
 * @example standardRateLimitHeaders(decision, Date.now())
 * // { "RateLimit-Policy": '"rate_limit";q=100;w=60', "RateLimit": '"rate_limit";r=99;t=60' }
 */
export function standardRateLimitHeaders(decision: Decision, now: number): Record<string, string> {
  const headers: Record<string, string> = {};
  writeStandardFields(headers, decision.counters, now);
  return headers;
}

/**
 * `X-RateLimit-*` for the rate counter closest to its limit (reset as epoch seconds, as most legacy clients expect).
 * @example legacyRateLimitHeaders(decision) // { "X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "99", ... }
 */
export function legacyRateLimitHeaders(decision: Decision): Record<string, string> {
  let tightest: CounterReport | undefined;
  for (const c of decision.counters) {
    if (c.kind === "rate" && (tightest === undefined || c.remaining < tightest.remaining)) tightest = c;
  }
  if (tightest === undefined) return {};
  return {
    "X-RateLimit-Limit": String(tightest.limit),
    "X-RateLimit-Remaining": String(tightest.remaining),
    "X-RateLimit-Reset": String(Math.ceil(tightest.resetAt / 1000)),
  };
}

/**
 * `Hexarch-Budget-Warning` for each budget past its warning threshold: the policy, amount spent, the budget and
 * seconds until it resets, as a structured-field list. Sent only with calls that go ahead.
 * @example budgetWarningHeaders(decision, Date.now())
 * // { "Hexarch-Budget-Warning": '"api_budget";spent=8;limit=10;reset=1296000' }
 */
export function budgetWarningHeaders(decision: Decision, now: number): Record<string, string> {
  const headers: Record<string, string> = {};
  writeBudgetWarnings(headers, decision.counters, now);
  return headers;
}

function writeBudgetWarnings(target: Record<string, string>, counters: readonly CounterReport[], now: number): void {
  let items = "";
  for (const c of counters) {
    if (c.kind !== "budget" || c.warnAt === undefined || c.used < c.warnAt * c.limit) continue;
    items += `${items === "" ? "" : ", "}${sfString(c.rule.policyId)};spent=${sfDecimal(c.used)};limit=${sfDecimal(c.limit)};reset=${secondsUntil(c.resetAt, now)}`;
  }
  if (items !== "") target[BUDGET_WARNING_HEADER] = items;
}

/**
 * Every header the switches ask for. `Retry-After` is included for refusals whose deciding rule says when to retry.
 * `at` (epoch ms, the instant reset times count from) defaults to the clock, read only when a field needs it.
 * @example decisionHeaders(decision, DEFAULT_HEADERS, Date.now())
 */
export function decisionHeaders(decision: Decision, switches: HeaderSwitches, at?: number): Record<string, string> {
  const headers: Record<string, string> = {};
  if (decision.counters.length > 0 && (switches.standard || switches.legacy || switches.budget)) {
    const now = at ?? Date.now();
    if (switches.standard) writeStandardFields(headers, decision.counters, now);
    if (switches.legacy) copyInto(headers, legacyRateLimitHeaders(decision));
    if (switches.budget && decision.isAllowed()) writeBudgetWarnings(headers, decision.counters, now);
  }
  if (switches.retryAfter && decision.retryAfter !== undefined && decision.isDenied()) {
    headers["Retry-After"] = String(Math.max(1, Math.ceil(decision.retryAfter)));
  }
  return headers;
}

function copyInto(target: Record<string, string>, source: Readonly<Record<string, string>>): void {
  for (const name in source) target[name] = source[name] as string;
}
