// One guardian per adapter and process for guards created without hexarch(): the first hexarch() registers its own.
import { createGuardian, type Guardian } from "../../guardian/create-guardian.js";

/** A guardian and the options of the `hexarch()` that registered it, which guards sharing it inherit. */
export interface SharedGuardian<Options> {
  readonly guardian: Guardian;
  readonly options: Options | undefined;
}

const registry = new Map<string, SharedGuardian<unknown>>();
/** Why creating an adapter's process-wide guardian failed (a broken policy file): kept, and thrown again unchanged. */
const failures = new Map<string, { readonly error: unknown }>();

/**
 * The process-wide guardian of an adapter: the one registered by its first `hexarch()`, else one created now from
 * the discovered policy file (once; later calls return the same). When creating it fails, every later call throws
 * the same error without reading the file again, so each route or guard set up after it reports the same problem.
 * @example const { guardian, options } = sharedGuardian<ExpressOptions>("express");
 */
export function sharedGuardian<Options>(adapter: string): SharedGuardian<Options> {
  let entry = registry.get(adapter);
  if (entry !== undefined) return entry as SharedGuardian<Options>;
  const failed = failures.get(adapter);
  if (failed !== undefined) throw failed.error;
  try {
    entry = { guardian: createGuardian(), options: undefined };
  } catch (error) {
    failures.set(adapter, { error });
    throw error;
  }
  registry.set(adapter, entry);
  return entry as SharedGuardian<Options>;
}

/** The adapter's process-wide guardian if one exists, without creating it. */
export function existingSharedGuardian<Options>(adapter: string): SharedGuardian<Options> | undefined {
  return registry.get(adapter) as SharedGuardian<Options> | undefined;
}

/** Registers a guardian and its options as the adapter's process-wide one, unless one exists already. */
export function offerSharedGuardian<Options>(adapter: string, guardian: Guardian, options: Options): void {
  if (!registry.has(adapter)) registry.set(adapter, { guardian, options });
}
