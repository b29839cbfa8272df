// Decides whether a rule's scope covers a call, and says which part did not when it does not; checks the call's instant.
import type { Scope } from "./compile/rule.js";
import type { GuardContext } from "./context.js";
import type { CallPrice } from "./pricing/call-price.js";
import type { ModelName } from "./pricing/model-name.js";
import { firstSegment, pathSegments, type RouteMatcher } from "./route.js";

/** The scope dimension that excluded a call. */
export type ScopeMiss = "resource" | "resource type" | "operation" | "route" | "method" | "environment" | "feature";

/**
 * One shared list per operation tag an HTTP method maps to: a call tagged `read` gets the same list each time, which the
 * rule index (`candidates`) recognises as the last call's, so it skips gathering the same rules again.
 */
const METHOD_TAG_LISTS: ReadonlyMap<string, readonly string[]> = new Map(
  ["read", "create", "update", "delete"].map((tag) => [tag, [tag]] as const),
);

/** Normalizes the context's operation tags (lower case, as a list). */
export function operationsOf(ctx: GuardContext): readonly string[] | undefined {
  const op = ctx.operation;
  if (op === undefined) return undefined;
  if (typeof op !== "string") return op.map((o) => o.toLowerCase());
  return METHOD_TAG_LISTS.get(op) ?? [op.toLowerCase()];
}

/**
 * A call prepared once for scope tests: operation tags lower-cased, the path split only when a rule needs it. Fields
 * are declared and set once in the constructor, so making a call per decision runs no field initializer.
 */
export class ScopedCall {
  declare readonly ctx: GuardContext;
  declare readonly operations: readonly string[] | undefined;
  declare readonly environment: string;
  /** When true (a policy was named explicitly), a dimension the call does not state counts as matching. */
  declare readonly lenient: boolean;
  /** What the call costs a budget, when it states a model or token counts (set by the engine before any rule). */
  declare price: CallPrice | undefined;
  /** The call's model name in the forms model patterns compare against (set by the engine with the price). */
  declare model: ModelName | undefined;
  /** Whether the call states a model or token counts, and so must be priced. */
  declare readonly statesPrice: boolean;
  declare private readonly clock: () => number;
  declare private instant: number | undefined;
  declare private pathParts: readonly string[] | undefined;

  constructor(ctx: GuardContext, environment: string, lenient: boolean, clock: () => number) {
    this.ctx = ctx;
    this.operations = operationsOf(ctx);
    this.environment = environment;
    this.lenient = lenient;
    this.price = undefined;
    this.model = undefined;
    this.statesPrice = ctx.model !== undefined || ctx.inputTokens !== undefined || ctx.maxOutputTokens !== undefined;
    this.clock = clock;
    this.instant = ctx.now === undefined ? undefined : checkedInstant(ctx.now, "context.now");
    this.pathParts = undefined;
  }

  /**
   * The instant of the call: the context's `now` (checked when the call is made), else the clock, read and checked
   * once and only when a rule needs it.
   */
  now(): number {
    return (this.instant ??= checkedInstant(this.clock(), "clock"));
  }

  /** The path's segments, or undefined when the call states no route. */
  segments(): readonly string[] | undefined {
    if (this.pathParts === undefined && this.ctx.route !== undefined) this.pathParts = pathSegments(this.ctx.route);
    return this.pathParts;
  }

  /** The path's first segment, or undefined when the call states no route. */
  routeHead(): string | undefined {
    const route = this.ctx.route;
    if (route === undefined) return undefined;
    return this.pathParts === undefined ? firstSegment(route) : (this.pathParts[0] ?? "");
  }
}

const NO_SEGMENTS: readonly string[] = Object.freeze([]);

function anyIn(wanted: ReadonlySet<string>, stated: readonly string[] | undefined): boolean {
  for (const value of stated ?? NO_SEGMENTS) if (wanted.has(value)) return true;
  return false;
}

function anyRoute(routes: readonly RouteMatcher[], segments: readonly string[], folded: boolean): boolean {
  for (const matches of routes) if (matches(segments, folded)) return true;
  return false;
}

/**
 * Whether a method scope covers a request method, in any case. GET covers HEAD: Express, @koa/router and Next.js
 * route handlers all answer HEAD with the GET handler (a HEAD-only rule still covers HEAD alone).
 */
function coversMethod(methods: ReadonlySet<string>, method: string): boolean {
  const upper = method.toUpperCase();
  return methods.has(upper) || (upper === "HEAD" && methods.has("GET"));
}

function unstated(call: ScopedCall, value: unknown): boolean {
  return value === undefined && call.lenient;
}

/** Returns undefined when the scope covers the call, else the first dimension that excludes it. */
export function scopeMiss(scope: Scope, call: ScopedCall): ScopeMiss | undefined {
  if (scope.unscoped) return scope.environments === undefined || scope.environments.has(call.environment) ? undefined : "environment";
  const { ctx } = call;
  if (scope.resources !== undefined && !unstated(call, ctx.resource) && !scope.resources.has(ctx.resource ?? "")) return "resource";
  if (scope.resourceTypes !== undefined && !unstated(call, ctx.resourceType) && !scope.resourceTypes.has(ctx.resourceType ?? "")) {
    return "resource type";
  }
  if (scope.operations !== undefined && !unstated(call, call.operations) && !anyIn(scope.operations, call.operations)) return "operation";
  if (
    scope.routes !== undefined &&
    !unstated(call, ctx.route) &&
    !anyRoute(scope.routes, call.segments() ?? NO_SEGMENTS, ctx.caseInsensitiveRoute === true)
  ) {
    return "route";
  }
  if (scope.methods !== undefined && !unstated(call, ctx.method) && !coversMethod(scope.methods, ctx.method ?? "")) return "method";
  if (scope.environments !== undefined && !scope.environments.has(call.environment)) return "environment";
  if (scope.feature !== undefined && !unstated(call, ctx.feature) && scope.feature !== ctx.feature) return "feature";
  return undefined;
}

/** Says in words why a scope dimension excluded the call. */
export function describeMiss(miss: ScopeMiss, call: ScopedCall): string {
  const { ctx } = call;
  const stated: Record<ScopeMiss, string | undefined> = {
    resource: ctx.resource,
    "resource type": ctx.resourceType,
    operation: call.operations?.join(", "),
    route: ctx.route,
    method: ctx.method,
    environment: call.environment,
    feature: ctx.feature,
  };
  const value = stated[miss];
  return value === undefined ? `the call states no ${miss}` : `${miss} ${value} is outside the rule's scope`;
}

/**
 * Largest distance from the epoch accepted for an instant, in milliseconds: the Date range (±8.64e15) less some
 * 460 days at each end, room for the lookups that reach past the instant (a month's end, a time window's next
 * opening, the zone offsets around them).
 */
export const MAX_INSTANT_MS = 8.6e15;

function describe(value: unknown): string {
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  if (value === null) return "null";
  if (typeof value === "boolean" || typeof value === "bigint") return `${typeof value} ${value}`;
  if (typeof value === "symbol") return `symbol ${value.toString()}`;
  return value === undefined ? "undefined" : `an ${typeof value}`;
}

/**
 * The instant, when it is a number of epoch milliseconds within ±MAX_INSTANT_MS; else throws a TypeError (not a
 * number) or RangeError (NaN, ±Infinity, out of range) naming `source` and the value, and saying what to give.
 * @example checkedInstant(ctx.now, "context.now")
 */
export function checkedInstant(value: unknown, source: "context.now" | "clock"): number {
  if (typeof value === "number" && Math.abs(value) <= MAX_INSTANT_MS) return value;
  const fromClock = source === "clock";
  const name = fromClock ? "clock (createGuardian's clock option)" : source;
  if (typeof value !== "number") {
    throw new TypeError(
      `${name} must ${fromClock ? "return" : "be"} a number of epoch milliseconds, got ${describe(value)}${fromClock ? "" : "; leave it out for the guardian's clock"}`,
    );
  }
  const fix = fromClock ? "the clock must return epoch milliseconds" : "give the call's instant as epoch milliseconds";
  throw new RangeError(
    `${name} ${fromClock ? "returned" : "is"} ${value}: ${fix} within ±8.6e15 (as Date.now() does)${fromClock ? "" : ", or leave it out for the guardian's clock"}`,
  );
}
