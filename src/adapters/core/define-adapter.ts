// One way to define an adapter: a framework says how to read a request and how to answer; everything else is here.
//
// The core API an adapter (Express, Koa, Fetch, Next, and every later one) plugs into, all of it in this file:
//   const adapter = defineAdapter({ name, spec, fieldNames, middleware, proceed, refuse, fail? });
//   adapter.hexarch(options, label?)   → the framework's middleware over every policy (or `options.policy`), with
//                                        `.guardian` and a bound `.guard()`
//   adapter.guard(policyId, options?)  → the framework's middleware over named policies
// The translation builds one AdapterView per request (the request as the core reads it, plus `request`, what the
// app's option functions receive, and `ledger`, the request's record) and hands it to the core's per-request function
// (`guardAndAnswer`, http-guard.ts); the core answers through `proceed` or `refuse`. Options validation, the
// process-wide guardian, `onDenied`, confirmation tokens, rate headers and the ledger's bookkeeping live in the core,
// once.
import type { Decision } from "../../engine/decision.js";
import type { Guardian } from "../../guardian/create-guardian.js";
import { selectedPolicies, setupGuard, setupHexarch, type AdapterSetup } from "./adapter-setup.js";
import type { HttpRequestView } from "./context-builder.js";
import { guardRequestFor, type HeaderWriter, type Refusal } from "./http-guard.js";
import type { GuardianChoice, HttpGuardOptions, OnDenied, OptionSpec, SpecOf } from "./options.js";
import type { FieldNames } from "./rate-headers.js";
import type { RequestLedger } from "./request-ledger.js";

/** One request as an adapter hands it to the core: how to read it, what option functions receive, its record. */
export interface AdapterView<Req> extends HttpRequestView {
  /** What the app's option functions (`skip`, `cost`, `clientKey`…) receive: Express `req`, Koa `ctx`, a Fetch `Request`. */
  readonly request: Req;
  /** The request's record, shared by every guard it passes (Express `res.locals.hexarch`, Koa `ctx.state.hexarch`). */
  readonly ledger: RequestLedger;
}

/** What every adapter's `onDenied` receives, besides the framework's own request objects. */
export interface RefusedRequest {
  readonly decision: Decision;
  /** The answer hexarch would send: status, headers, problem body (how far headers are set already: see the adapter). */
  readonly answer: Refusal;
}

/** The options every adapter's guards take: the HTTP options, a guardian, a refusal handler. */
export interface AdapterOptions<Req, Denied, Answered> extends HttpGuardOptions<Req> {
  /** The guardian to use. Default: the process-wide guardian (`processGuardian`). */
  readonly guardian?: Guardian;
  /** Answers refused requests instead of the problem+json response. Default: hexarch's answer. */
  readonly onDenied?: OnDenied<Denied, Answered>;
}

/** The spec of an adapter's own options: every key its options add to `AdapterOptions`, none else (declare it `satisfies`). */
export type AdapterSpecOf<Options> = SpecOf<Omit<Options, keyof HttpGuardOptions<never> | "guardian">>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an adapter's Denied and Answered are its own
export type AnyAdapterOptions = AdapterOptions<never, any, any>;

/** The core's per-request function for one guard: reads the view, decides, answers through the translation. */
export type GuardRequest<View, Out> = (view: View) => Out | Promise<Out>;

/** One framework's translation: its names, how its middleware reads a request, how it answers. */
export interface AdapterTranslation<Options extends AnyAdapterOptions, View extends AdapterView<unknown>, Out, Middleware> {
  /** Names the adapter where guards share the process-wide guardian's options (`express`, `koa`…). */
  readonly name: string;
  /** The kinds of the options this adapter adds to the HTTP options (`onDenied`, Fetch's `policy`…). */
  readonly spec: OptionSpec;
  /** How decision headers are spelled on this framework's responses (WIRE_NAMES for Node, FIELD_NAMES for Headers). */
  readonly fieldNames: FieldNames;
  /** Values used where the app gave none (Fetch: `caseSensitive: false`). Default: none. */
  readonly defaults?: Partial<Options>;
  /** Why options that create a guardian are refused, when this adapter takes none (Next: one guardian per route). */
  readonly noGuardianOptions?: string;
  /** Checks the adapter's own option values once, after their kinds; throws PolicyConfigError. */
  checkOptions?(options: Options, label: string): void;
  /** The framework's middleware around the core's per-request function: builds the view, calls `guardRequest`. */
  middleware(guardRequest: GuardRequest<View, Out>, setup: AdapterSetup<Options>): Middleware;
  /** Lets the request go on; `decision` is undefined when `skip` left it alone. `writeHeaders` sets its headers. */
  readonly proceed: (view: View, decision: Decision | undefined, writeHeaders: HeaderWriter) => Out;
  /** Answers a refusal with hexarch's problem response, or hands it to the app's `onDenied` when given. */
  readonly refuse: (view: View, refusal: Refusal, onDenied: Options["onDenied"]) => Out | Promise<Out>;
  /** What a request error becomes (Express: `next(error)`). Default: thrown, or the promise rejects with it. */
  readonly fail?: (view: View, error: unknown) => Out;
}

/** The `hexarch()` middleware of an adapter, with its guardian and a `guard()` (sharing its guardian and options). */
export type BoundHexarch<Options, Middleware> = Middleware & {
  readonly guardian: Guardian;
  guard(policyId: string | readonly string[], options?: Options): Middleware;
};

/** An adapter's entry points, as `defineAdapter` builds them: an adapter exports them under its own names. */
export interface Adapter<Options, Middleware> {
  /** `hexarch()`: every policy; validates the options and picks or creates the guardian once. */
  readonly hexarch: (options?: Options & GuardianChoice) => BoundHexarch<Options, Middleware>;
  /** `guard(id)`: named policies, inheriting the options of this adapter's first `hexarch()` on the process-wide guardian. */
  readonly guard: (policyId: string | readonly string[], options?: Options) => Middleware;
  /**
   * Like `hexarch()` under another name for messages (`createFetchGuard()`, `withHexarch()`), and for the policies
   * `options.policy` names when the adapter takes `policy`. A bad option or policy file throws PolicyConfigError here.
   */
  readonly setUp: (options: (Options & GuardianChoice) | undefined, label: string) => BoundHexarch<Options, Middleware>;
}

function withDefaults<Options extends object>(options: Options, defaults: Partial<Options> | undefined): Options {
  if (defaults === undefined) return options;
  const merged: Record<string, unknown> = { ...(options as Record<string, unknown>) };
  for (const [key, value] of Object.entries(defaults)) merged[key] ??= value;
  return merged as Options;
}

/**
 * Defines an adapter from its translation. Per request the core builds the context, redeems or issues confirmation
 * tokens, decides through the guardian's `decideNow` port, records the decision on the request's ledger, and then
 * calls `proceed` or `refuse` once; a request that waits on nothing is answered without a promise.
 * @example
 * const adapter = defineAdapter<KoaGuardOptions, KoaRequestView, unknown, Middleware>({
 *   name: "koa", spec: { onDenied: ["function"] }, fieldNames: WIRE_NAMES,
 *   middleware: (guardRequest) => (ctx, next) => guardRequest(new KoaRequestView(ctx, next)),
 *   proceed: (view, decision, writeHeaders) => { if (decision) writeHeaders(view.ctx.res, decision); return view.next(); },
 *   refuse: (view, refusal) => { view.ctx.status = refusal.status; view.ctx.body = refusal.body; },
 * });
 * export const hexarch: (options?: HexarchOptions) => HexarchMiddleware = adapter.hexarch;
 */
export function defineAdapter<Options extends AnyAdapterOptions, View extends AdapterView<unknown>, Out, Middleware extends object>(
  translation: AdapterTranslation<Options, View, Out, Middleware>,
): Adapter<Options, Middleware> {
  const { name, spec } = translation;

  const build = (setup: AdapterSetup<Options>, policies: readonly string[] | undefined): Middleware =>
    translation.middleware(guardRequestFor<Options, View, Out>(translation, setup, policies), setup);

  const guardWith = (policyId: string | readonly string[], options: Options | undefined, parent: AdapterSetup<Options> | undefined) => {
    const ids = typeof policyId === "string" ? [policyId] : [...policyId];
    const label = `guard(${ids.map((id) => JSON.stringify(id)).join(", ")})`;
    return build(setupGuard<Options>(name, ids, options, parent, label, spec), ids);
  };

  const setUp = (options: (Options & GuardianChoice) | undefined, label: string): BoundHexarch<Options, Middleware> => {
    const setup = setupHexarch<Options & GuardianChoice>(name, options, label, spec, translation.noGuardianOptions);
    translation.checkOptions?.(setup.options, label);
    const resolved = { guardian: setup.guardian, options: withDefaults<Options>(setup.options, translation.defaults) };
    const policies = selectedPolicies((resolved.options as { policy?: string | readonly string[] }).policy, label);
    const bound = (policyId: string | readonly string[], guardOptions?: Options): Middleware => guardWith(policyId, guardOptions, setup);
    return Object.assign(build(resolved, policies), { guardian: setup.guardian, guard: bound });
  };
  return {
    hexarch: function hexarch(options) {
      return setUp(options, "hexarch()");
    },
    guard: function guard(policyId, options) {
      return guardWith(policyId, options, undefined);
    },
    setUp,
  };
}
