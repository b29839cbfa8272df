// Construction shared by every adapter: validate options once, pick or create the guardian, resolve guard() ids.
import { createGuardian, type Guardian, type GuardianOptions } from "../../guardian/create-guardian.js";
import { PolicyConfigError } from "../../errors/config-error.js";
import {
  GUARDIAN_OPTION_SPEC,
  HTTP_OPTION_SPEC,
  validateOptions,
  type GuardianChoice,
  type HttpGuardOptions,
  type OptionSpec,
} from "./options.js";
import { processGuardian } from "../../guardian/process-guardian.js";

/** A guardian with the options a `hexarch()` or `guard()` runs with. */
export interface AdapterSetup<Options> {
  readonly guardian: Guardian;
  readonly options: Options;
}

type AnyHttpOptions = HttpGuardOptions<never> & GuardianChoice;

/**
 * By adapter, the options of its first `hexarch()` that used the process-wide guardian: the adapter's bare `guard()`
 * calls inherit them while that guardian is still the process-wide one.
 */
const firstHexarch = new Map<string, { readonly guardian: Guardian; readonly options: unknown }>();

/** The process-wide guardian, created from the discovered policy file when none is in place. */
function processWide(creating: GuardianOptions = {}): Guardian {
  return processGuardian.obtain(() => createGuardian(creating));
}

const GUARDIAN_KEYS = Object.keys(GUARDIAN_OPTION_SPEC) as (keyof GuardianOptions)[];

function guardianOptionsIn(options: Record<string, unknown>): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const key of GUARDIAN_KEYS) if (options[key] !== undefined) picked[key] = options[key];
  return picked;
}

function guardianOptionsRefused(given: readonly string[], label: string, reason: string): PolicyConfigError {
  return new PolicyConfigError(
    given.map((key) => ({
      file: "<options>",
      path: `${label}.${key}`,
      message: `"${key}" ${reason}`,
      fix: "create one guardian in a shared module (createGuardian({ ... })) and pass it as guardian, or use HEXARCH_POLICY_FILE / HEXARCH_REDIS_URL",
    })),
    `invalid options for ${label}`,
  );
}

function withoutGuardianOptions<Options extends object>(options: Options): Options {
  const copy: Record<string, unknown> = { ...(options as Record<string, unknown>) };
  for (const key of GUARDIAN_KEYS) delete copy[key];
  return copy as Options;
}

/**
 * Sets up an adapter's `hexarch()`: validates the options (HTTP options, guardian options and the adapter's own),
 * uses `options.guardian`, else creates a guardian from the guardian options (a broken policy file throws
 * PolicyConfigError here), else shares the process-wide one (`processGuardian`). When none is in place, the
 * guardian of this `hexarch()` becomes it. The adapter's bare `guard()` calls inherit the options of its first
 * `hexarch()` on the process-wide guardian.
 * `noGuardianOptions` (why) refuses options that would create a guardian.
 * @example const { guardian, options } = setupHexarch("express", userOptions, "hexarch()", { onDenied: ["function"] });
 */
export function setupHexarch<Options extends AnyHttpOptions>(
  adapter: string,
  options: Options | undefined,
  label: string,
  adapterSpec: OptionSpec = {},
  noGuardianOptions?: string,
): AdapterSetup<Options> {
  const given = (options ?? {}) as Options;
  const guardianOptions = guardianOptionsIn(given as Record<string, unknown>);
  const creates = Object.keys(guardianOptions).length > 0;
  if (creates && noGuardianOptions !== undefined) throw guardianOptionsRefused(Object.keys(guardianOptions), label, noGuardianOptions);
  validateOptions(options, { ...HTTP_OPTION_SPEC, ...GUARDIAN_OPTION_SPEC, ...adapterSpec }, label);
  if (given.guardian !== undefined && creates) {
    throw new PolicyConfigError(
      [
        {
          file: "<options>",
          path: `${label}.guardian`,
          message: `guardian was given together with ${Object.keys(guardianOptions).join(", ")}`,
          fix: "pass those options to createGuardian() instead",
        },
      ],
      `invalid options for ${label}`,
    );
  }
  const environment = typeof given.environment === "string" ? { environment: given.environment } : {};
  const logger = given.logger === undefined ? {} : { logger: given.logger };
  let guardian = given.guardian ?? (creates ? createGuardian({ ...guardianOptions, ...environment, ...logger }) : undefined);
  if (guardian === undefined) guardian = processWide({ ...environment, ...logger });
  else if (processGuardian() === undefined) processGuardian.set(guardian);
  const resolved = withoutGuardianOptions(given);
  if (guardian === processGuardian() && firstHexarch.get(adapter)?.guardian !== guardian)
    firstHexarch.set(adapter, { guardian, options: resolved });
  return { guardian, options: resolved };
}

/**
 * Sets up an adapter's `guard(policyId)`: validates the options, checks every id exists (an unknown id throws
 * PolicyConfigError listing the known ones) and merges the options over those of the `hexarch()` it belongs to,
 * else uses the process-wide guardian (created from the discovered policy file when none is in place) with the
 * options of the adapter's first `hexarch()` on it.
 * @example const { guardian, options } = setupGuard("express", ["safe_delete"], { resource: "db" }, undefined, 'guard("safe_delete")');
 */
export function setupGuard<Options extends AnyHttpOptions>(
  adapter: string,
  policyIds: readonly string[],
  options: Options | undefined,
  parent: AdapterSetup<Options> | undefined,
  label: string,
  adapterSpec: OptionSpec = {},
): AdapterSetup<Options> {
  validateOptions(options, { ...HTTP_OPTION_SPEC, ...adapterSpec }, label);
  if (policyIds.length === 0) {
    throw new PolicyConfigError([
      { file: "<options>", path: label, message: "no policy id given", fix: 'name a policy, e.g. guard("rate_limit")' },
    ]);
  }
  const given = (options ?? {}) as Options;
  if (parent !== undefined) return { guardian: given.guardian ?? parent.guardian, options: { ...parent.options, ...given } };
  if (given.guardian !== undefined) return { guardian: given.guardian, options: given };
  const guardian = processWide();
  const first = firstHexarch.get(adapter);
  const inherited = first?.guardian === guardian ? (first.options as Options) : undefined;
  return { guardian, options: { ...inherited, ...given } };
}

/**
 * The policy ids a `policy` option selects (undefined = every policy): an empty list throws PolicyConfigError at
 * set-up (each id is checked against the guardian where the guard is built, `createHttpGuard`).
 * @example selectedPolicies("safe_delete", "withHexarch()") // ["safe_delete"]
 */
export function selectedPolicies(policy: string | readonly string[] | undefined, label: string): readonly string[] | undefined {
  if (policy === undefined) return undefined;
  const ids = typeof policy === "string" ? [policy] : [...policy];
  if (ids.length > 0) return ids;
  throw new PolicyConfigError(
    [
      {
        file: "<options>",
        path: `${label}.policy`,
        message: "an empty list of policy ids",
        fix: "name a policy, or leave policy out to apply every policy",
      },
    ],
    `invalid options for ${label}`,
  );
}
