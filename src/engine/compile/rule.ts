// Turns one validated rule into its compiled form: scope matchers, checks, counters and an action.
import type { RuleSpec } from "../config/schema.js";
import { ACTION_PATTERN, BUILTIN_KEYS } from "../config/schema.js";
import type { FindingKind, RuleRef } from "../decision.js";
import { compileRoute, type RouteMatcher } from "../route.js";
import { compileTimeWindow } from "../time/window.js";
import { getZone } from "../time/zone.js";
import { periodTracker, type Period } from "../time/period.js";
import type { GuardContext } from "../context.js";
import type { RuleLimitFunctions } from "../config/code-policies.js";
import { formatKeyPath } from "../config/locate.js";
import { RATE_WINDOWS } from "../config/rate-windows.js";
import { perCallCounter } from "./per-call-limit.js";
import { rateShape } from "./rate-shape.js";
import { summarizeRule } from "./summary.js";
import { toMicros } from "../amount.js";
import type { AdmittingRate, RateAlgorithm } from "../../stores/store.js";
import { modelChecks } from "./model-checks.js";
import type { ModelName } from "../pricing/model-name.js";

export { fromMicros, toMicros } from "../amount.js";

export type Action = "block" | "warn" | "require_confirmation" | "require_approval";
/** Who a counter is kept for. A custom key names a key function given to createGuardian. */
export type KeyKind = (typeof BUILTIN_KEYS)[number] | { readonly custom: string };

export interface RateCounter {
  readonly kind: "rate";
  readonly limit: number;
  readonly algorithm: RateAlgorithm;
  /** Calls admitted at once: the bucket's size for a token bucket, else the limit. */
  readonly burst: number;
  /** What the store needs to admit calls itself (sliding window, token bucket); undefined for a fixed window. */
  readonly rate: AdmittingRate | undefined;
  readonly windowMs: number;
  readonly window: "1s" | "1m" | "1h" | "1d";
  readonly key: KeyKind;
  /** Requests at or above which the rule warns (its warning threshold), when it has one. */
  readonly warnPoints: number | undefined;
  /** With a limit computed per call (code policies): the counter for a call; `limit` is then NaN and unused. */
  readonly perCall: ((ctx: GuardContext) => RateCounter) | undefined;
}

export interface BudgetCounter {
  readonly kind: "budget";
  /** The budget in millionths of its unit, so stores only ever add whole numbers. */
  readonly limitMicros: number;
  readonly window: "day" | "month";
  readonly period: (epochMs: number) => Period;
  /** The IANA time zone its periods follow (`timezone:`, default UTC). */
  readonly timezone: string;
  readonly key: KeyKind;
  readonly fixedCostMicros: number | undefined;
  /** Millionths spent at or above which the rule warns (its warning threshold), when it has one. */
  readonly warnPoints: number | undefined;
}

export type Counter = RateCounter | BudgetCounter;

/** A failed check: why, and when trying again could succeed. */
export interface CheckFailure {
  readonly reason: string;
  readonly retryAfter?: number;
}

export interface Check {
  readonly kind: FindingKind;
  readonly describe: string;
  /** `model` is the call's model name in the forms patterns compare against, when it states one. */
  test(ctx: GuardContext, environment: string, now: number, model?: ModelName): CheckFailure | undefined;
}

/** Which calls a rule applies to. Undefined means "any". */
export interface Scope {
  readonly resources: ReadonlySet<string> | undefined;
  readonly resourceTypes: ReadonlySet<string> | undefined;
  readonly operations: ReadonlySet<string> | undefined;
  readonly routes: readonly RouteMatcher[] | undefined;
  readonly methods: ReadonlySet<string> | undefined;
  readonly environments: ReadonlySet<string> | undefined;
  readonly feature: string | undefined;
  /** True when no dimension but `environments` is set, so testing the scope is at most one environment lookup. */
  readonly unscoped: boolean;
}

export interface CompiledRule {
  readonly ref: RuleRef;
  readonly spec: RuleSpec;
  readonly scope: Scope;
  readonly action: Action;
  /** Warning threshold as a fraction of a counter's limit. */
  readonly warnAt: number | undefined;
  readonly counters: readonly Counter[];
  readonly checks: readonly Check[];
  /** `count: all`: the rule's rate counters count refused calls too (budgets never do). */
  readonly countsRefused: boolean;
  /** What the finding is called when the rule has no check or counter and triggers on scope alone. */
  readonly unconditionalKind: FindingKind | undefined;
  /** `max_cost_per_call` in millionths: a call reserving more is refused before anything is counted. */
  readonly maxCostMicros: number | undefined;
  /** True when the rule must know what a call costs: a budget without a fixed `cost`, or `max_cost_per_call`. */
  readonly needsPrice: boolean;
  /** True when the rule has a budget without a fixed `cost`: it reserves what the call is priced at. */
  readonly reservesByPrice: boolean;
  /** `reservation_ttl` in milliseconds: how long a reservation on the rule's budget waits for its settle. */
  readonly reservationTtlMs: number | undefined;
  /** With `require_approval`: how long an approval request waits for a person, in milliseconds (default 900 s). */
  readonly approvalTtlMs: number | undefined;
}

/** How long an approval request waits for a person when its rule names no `approval_ttl`: 900 s. */
export const DEFAULT_APPROVAL_TTL_SECONDS = 900;

function list(value: string | readonly string[] | undefined): readonly string[] | undefined {
  return value === undefined ? undefined : typeof value === "string" ? [value] : value;
}

function setOf(values: readonly string[] | undefined, normalize: (v: string) => string = (v) => v): ReadonlySet<string> | undefined {
  return values === undefined ? undefined : new Set(values.map(normalize));
}

function keyKind(name: string | undefined, fallback: KeyKind): KeyKind {
  if (name === undefined) return fallback;
  return (BUILTIN_KEYS as readonly string[]).includes(name) ? (name as KeyKind) : { custom: name };
}

function parseAction(spec: RuleSpec): { action: Action; warnPercent: number | undefined } {
  const match = ACTION_PATTERN.exec(spec.action ?? "block");
  const warnPercent = match?.[2] === undefined ? spec.alert_at_percentage : Number(match[2]);
  if (spec.requires_approval === true) return { action: "require_confirmation", warnPercent };
  const named = match?.[1] ?? "block";
  const asks = named === "warn" || named === "require_confirmation" || named === "require_approval";
  return { action: asks ? named : "block", warnPercent };
}

/** The points at or above which a counter warns: percent × limit / 100, exact for whole percents, rounded up. */
function warnPointsOf(warnPercent: number | undefined, limitPoints: number): number | undefined {
  return warnPercent === undefined ? undefined : Math.ceil((warnPercent * limitPoints) / 100);
}

function compileScope(spec: RuleSpec): Scope {
  const resource = spec.resource === undefined || spec.resource === "*" ? undefined : [spec.resource];
  const routes = list(spec.route);
  const scope = {
    resources: setOf(resource),
    resourceTypes: setOf(spec.resource_types),
    operations: setOf(list(spec.operation), (v) => v.toLowerCase()),
    routes: routes?.map(compileRoute),
    methods: setOf(spec.methods, (v) => v.toUpperCase()),
    environments: setOf(spec.environments),
    feature: spec.feature,
  };
  const { environments: _environments, ...dimensions } = scope;
  return { ...scope, unscoped: Object.values(dimensions).every((value) => value === undefined) };
}

/** Where a rule was written, for the errors of its per-call limits. */
interface RulePlace {
  readonly algorithm: RateAlgorithm | undefined;
  readonly source: string;
  readonly policyId: string;
  readonly policyIndex: number;
  readonly index: number;
}

function compileCounters(
  spec: RuleSpec,
  warnPercent: number | undefined,
  limitFunctions: RuleLimitFunctions | undefined,
  place: RulePlace,
): Counter[] {
  const counters: Counter[] = [];
  const algorithm = spec.algorithm ?? place.algorithm ?? "fixed_window";
  for (const { field, label: window, ms: windowMs } of RATE_WINDOWS) {
    const limit = spec[field];
    const limitOf = limitFunctions?.[field];
    const base = { kind: "rate", window, windowMs, key: keyKind(spec.key, "client"), algorithm } as const;
    if (limit !== undefined)
      counters.push({
        ...base,
        limit,
        ...rateShape(algorithm, limit, spec.burst),
        warnPoints: warnPointsOf(warnPercent, limit),
        perCall: undefined,
      });
    if (limitOf === undefined) continue;
    const path = formatKeyPath(["policies", place.policyIndex, "rules", place.index, field]);
    const perCall = perCallCounter(limitOf, base, spec.burst, (value) => warnPointsOf(warnPercent, value), {
      source: place.source,
      policyId: place.policyId,
      path,
    });
    counters.push({ ...base, limit: Number.NaN, burst: Number.NaN, rate: undefined, warnPoints: undefined, perCall });
  }
  const budget = spec.monthly_budget ?? spec.daily_budget;
  if (budget !== undefined) {
    const window = spec.monthly_budget !== undefined ? "month" : "day";
    const limitMicros = toMicros(budget);
    counters.push({
      kind: "budget",
      limitMicros,
      warnPoints: warnPointsOf(warnPercent, limitMicros),
      window,
      period: periodTracker(getZone(spec.timezone ?? "UTC"), window),
      timezone: spec.timezone ?? "UTC",
      key: keyKind(spec.key, "global"),
      fixedCostMicros: spec.cost === undefined ? undefined : toMicros(spec.cost),
    });
  }
  return counters;
}

function factFailure(spec: RuleSpec, facts: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const wanted = spec.require_facts;
  if (wanted === undefined) return undefined;
  const pairs: [string, unknown][] = Array.isArray(wanted) ? wanted.map((name) => [name, true]) : Object.entries(wanted);
  for (const [name, expected] of pairs) {
    const actual = facts?.[name];
    const ok = expected === true ? actual === true : actual === expected;
    if (!ok) return `fact "${name}" must be ${JSON.stringify(expected)} (got ${actual === undefined ? "nothing" : JSON.stringify(actual)})`;
  }
  return undefined;
}

function compileChecks(spec: RuleSpec): Check[] {
  const checks: Check[] = [];
  const hasWindow = [spec.allowed_hours, spec.forbidden_hours, spec.allowed_days, spec.forbidden_days].some((v) => v !== undefined);
  if (hasWindow) {
    const window = compileTimeWindow(spec);
    checks.push({
      kind: "time",
      describe: "time window",
      test: (_ctx, _env, now) => {
        const result = window.check(now);
        return result.ok ? undefined : { reason: result.reason, retryAfter: result.retryAfterSeconds };
      },
    });
  }
  const requiredEnvironments = setOf(list(spec.require_environment));
  if (requiredEnvironments !== undefined) {
    const names = [...requiredEnvironments].join(" or ");
    checks.push({
      kind: "environment",
      describe: `environment must be ${names}`,
      test: (_ctx, environment) =>
        requiredEnvironments.has(environment) ? undefined : { reason: `environment must be ${names} (it is ${environment})` },
    });
  }
  if (spec.require_facts !== undefined) {
    checks.push({
      kind: "facts",
      describe: "required facts",
      test: (ctx) => {
        const failure = factFailure(spec, ctx.facts);
        return failure === undefined ? undefined : { reason: failure };
      },
    });
  }
  const users = setOf(spec.allowed_users);
  const roles = setOf(spec.allowed_roles);
  if (users !== undefined || roles !== undefined) {
    checks.push({
      kind: "access",
      describe: "allowed users and roles",
      test: (ctx) => {
        if (ctx.user !== undefined && users?.has(ctx.user) === true) return undefined;
        if (roles !== undefined && ctx.roles?.some((role) => roles.has(role)) === true) return undefined;
        return { reason: ctx.user === undefined ? "no user was identified" : `user "${ctx.user}" is not allowed` };
      },
    });
  }
  if (spec.feature !== undefined && spec.enabled === false) {
    const feature = spec.feature;
    checks.push({ kind: "feature", describe: `feature ${feature} is off`, test: () => ({ reason: `feature "${feature}" is disabled` }) });
  }
  return checks;
}

/** A rule's place among the policies, with the per-call limits it was given in code. */
export interface RuleOrigin {
  /** Where the policy was written: the file's name, or `<options>` for code policies. */
  readonly source: string;
  /** The policy's position in its source, for key paths. */
  readonly policyIndex: number;
  readonly limitFunctions?: RuleLimitFunctions | undefined;
  /** The file's top-level `algorithm`, for rules that name none. */
  readonly algorithm?: RateAlgorithm | undefined;
}

/**
 * The rule as its summary describes it: with the file's algorithm when the rule names none.
 * @example withAlgorithm({ requests_per_minute: 10 }, "sliding_window") // { requests_per_minute: 10, algorithm: "sliding_window" }
 */
export function withAlgorithm(spec: RuleSpec, fileAlgorithm: RateAlgorithm | undefined): RuleSpec {
  return spec.algorithm !== undefined || fileAlgorithm === undefined ? spec : { ...spec, algorithm: fileAlgorithm };
}

/** Compiles one validated rule. `where` is its place in the file, when known. */
export function compileRule(
  policyId: string,
  index: number,
  spec: RuleSpec,
  where?: { line: number; column: number },
  origin?: RuleOrigin,
): CompiledRule {
  const { action, warnPercent } = parseAction(spec);
  const warnAt = warnPercent === undefined ? undefined : warnPercent / 100;
  const limitFunctions = origin?.limitFunctions;
  const counters = compileCounters(spec, warnPercent, limitFunctions, {
    algorithm: origin?.algorithm,
    source: origin?.source ?? "",
    policyId,
    policyIndex: origin?.policyIndex ?? 0,
    index,
  });
  const checks = [...compileChecks(spec), ...modelChecks(spec)];
  const perCallFields = limitFunctions === undefined ? undefined : Object.keys(limitFunctions);
  const ref: RuleRef = { policyId, index, summary: summarizeRule(withAlgorithm(spec, origin?.algorithm), perCallFields), ...(where ?? {}) };
  const maxCostMicros = spec.max_cost_per_call === undefined ? undefined : toMicros(spec.max_cost_per_call);
  const reservesByPrice = counters.some((counter) => counter.kind === "budget" && counter.fixedCostMicros === undefined);
  const needsPrice = maxCostMicros !== undefined || reservesByPrice;
  return {
    ref,
    spec,
    scope: compileScope(spec),
    action,
    warnAt,
    counters,
    checks,
    countsRefused: spec.count === "all",
    unconditionalKind: unconditionalKindOf(spec, action, counters, checks, maxCostMicros),
    maxCostMicros,
    needsPrice,
    reservesByPrice,
    reservationTtlMs: spec.reservation_ttl === undefined ? undefined : spec.reservation_ttl * 1000,
    approvalTtlMs: action === "require_approval" ? (spec.approval_ttl ?? DEFAULT_APPROVAL_TTL_SECONDS) * 1000 : undefined,
  };
}

/**
 * What a rule finds on its scope alone, if anything. A rule without triggers (counters, time windows) triggers
 * whenever it applies: `require_confirmation` then asks once its conditions hold, any other action blocks unless the
 * rule has conditions, which are then its trigger. `feature: x` with `enabled: true` states that the flag is on and
 * refuses nothing by itself.
 */
function unconditionalKindOf(
  spec: RuleSpec,
  action: Action,
  counters: readonly Counter[],
  checks: readonly Check[],
  maxCostMicros: number | undefined,
): FindingKind | undefined {
  if (counters.length > 0 || maxCostMicros !== undefined || checks.some((check) => check.kind === "time")) return undefined;
  if (action === "require_confirmation") return "confirm";
  if (action === "require_approval") return "approval";
  const declaresFeatureOn = spec.feature !== undefined && spec.enabled === true;
  return checks.length === 0 && !declaresFeatureOn ? "block" : undefined;
}
