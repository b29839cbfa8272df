// Decides whether a rule's scope covers a call, and says which part did not when it does not.
import type { Scope } from "./compile/rule.js";
import type { GuardContext } from "./context.js";
import { checkedInstant } from "./instant.js";
import type { CallPrice } from "./pricing/call-price.js";
import type { ModelName } from "./pricing/model-name.js";
import { firstSegment, pathSegments, type RouteMatcher } from "./route.js";

/** The scope dimension that excluded a call. */
export type ScopeMiss = "resource" | "resource type" | "operation" | "route" | "method" | "environment" | "feature";

/** Normalizes the context's operation tags (lower case, as a list). */
export function operationsOf(ctx: GuardContext): readonly string[] | undefined {
  const op = ctx.operation;
  if (op === undefined) return undefined;
  return typeof op === "string" ? [op.toLowerCase()] : op.map((o) => o.toLowerCase());
}

/** A call prepared once for scope tests: operation tags lower-cased, the path split only when a rule needs it. */
export class ScopedCall {
  readonly ctx: GuardContext;
  readonly operations: readonly string[] | undefined;
  readonly environment: string;
  /** When true (a policy was named explicitly), a dimension the call does not state counts as matching. */
  readonly lenient: boolean;
  /** What the call costs a budget, when it states a model or token counts (set by the engine before any rule). */
  price: CallPrice | undefined = undefined;
  /** The call's model name in the forms model patterns compare against (set by the engine with the price). */
  model: ModelName | undefined = undefined;
  readonly #clock: () => number;
  #now: number | undefined;
  #segments: readonly string[] | undefined;

  constructor(ctx: GuardContext, environment: string, lenient: boolean, clock: () => number) {
    this.ctx = ctx;
    this.operations = operationsOf(ctx);
    this.environment = environment;
    this.lenient = lenient;
    this.#clock = clock;
    if (ctx.now !== undefined) this.#now = checkedInstant(ctx.now, "context.now");
  }

  /**
   * The instant of the call: the context's `now` (checked when the call is made), else the clock, read and checked
   * once and only when a rule needs it.
   */
  now(): number {
    return (this.#now ??= checkedInstant(this.#clock(), "clock"));
  }

  /** The path's segments, or undefined when the call states no route. */
  segments(): readonly string[] | undefined {
    if (this.#segments === undefined && this.ctx.route !== undefined) this.#segments = pathSegments(this.ctx.route);
    return this.#segments;
  }

  /** The path's first segment, or undefined when the call states no route. */
  routeHead(): string | undefined {
    const route = this.ctx.route;
    if (route === undefined) return undefined;
    return this.#segments === undefined ? firstSegment(route) : (this.#segments[0] ?? "");
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
