// An adapter's `hexarch()` and `guard()` from its middleware factory, so every framework gets the same set-up rules.
import type { Guardian } from "../../guardian/create-guardian.js";
import { setupGuard, setupHexarch, type GuardSetup } from "./adapter-setup.js";
import type { GuardianChoice, HttpGuardOptions, OptionSpec } from "./options.js";

/** A middleware factory: the guard for one set-up and policy selection (undefined = every policy). */
export type MiddlewareFactory<Options, Middleware> = (setup: GuardSetup<Options>, policies: readonly string[] | undefined) => Middleware;

/** The `hexarch()` middleware of an adapter, with its guardian and a `guard()` bound to it. */
export type BoundHexarch<Options, Middleware> = Middleware & {
  readonly guardian: Guardian;
  guard(policyId: string | readonly string[], options?: Options): Middleware;
};

/** An adapter's two public entry points. */
export interface AdapterEntries<Options, Middleware> {
  hexarch(options?: Options & GuardianChoice): BoundHexarch<Options, Middleware>;
  guard(policyId: string | readonly string[], options?: Options): Middleware;
}

type AdapterOptions = HttpGuardOptions<never> & { readonly guardian?: Guardian };

/**
 * Builds `hexarch()` (every policy; validates options and loads the policy file once; the first one becomes the
 * adapter's process-wide guardian) and `guard(id)` (named policies, inheriting the options of the `hexarch()` it is
 * bound to or of the process-wide one) around an adapter's middleware factory.
 * @example
 * const entries = adapterEntries<KoaGuardOptions, Middleware>("koa", { onDenied: ["function"] }, middleware);
 * export const hexarch = (options?: HexarchOptions) => entries.hexarch(options);
 */
export function adapterEntries<Options extends AdapterOptions, Middleware extends object>(
  adapter: string,
  adapterSpec: OptionSpec,
  build: MiddlewareFactory<Options, Middleware>,
): AdapterEntries<Options, Middleware> {
  type Full = Options & GuardianChoice;
  const guardWith = (
    policyId: string | readonly string[],
    options: Options | undefined,
    parent: GuardSetup<Full> | undefined,
  ): Middleware => {
    const ids = typeof policyId === "string" ? [policyId] : [...policyId];
    const label = `guard(${ids.map((id) => JSON.stringify(id)).join(", ")})`;
    return build(setupGuard<Full>(adapter, ids, options, parent, label, adapterSpec), ids);
  };
  return {
    hexarch(options) {
      const setup = setupHexarch<Full>(adapter, options, "hexarch()", adapterSpec);
      const bound = (policyId: string | readonly string[], guardOptions?: Options): Middleware => guardWith(policyId, guardOptions, setup);
      return Object.assign(build(setup, undefined), { guardian: setup.guardian, guard: bound });
    },
    guard: (policyId, options) => guardWith(policyId, options, undefined),
  };
}
