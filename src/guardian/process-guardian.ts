// The process-wide guardian: the one guardian every adapter guard set up without a `guardian` option shares.
import type { Guardian } from "./create-guardian.js";

/**
 * The guardian shared by every adapter guard (`hexarch()`, `guard()`, `createFetchGuard()`, `withHexarch()`) set up
 * without a `guardian` option, so that their counters and confirmation tokens are one.
 *
 * Its lifetime:
 * - empty when the process starts;
 * - filled by the app with `set(guardian)`, or else by the first adapter set up: the guardian given to it or made
 *   from its options, else one created from the discovered policy file (`HEXARCH_POLICY_FILE`, else `hexarch.yaml`
 *   walking up from the working directory);
 * - emptied when that guardian's `close()` runs (any guardian `createGuardian` made) or by `processGuardian.close()`;
 *   the next adapter set up then fills it afresh. Guards set up before keep the guardian they were given.
 *
 * When creating it from the discovered policy file fails, every later adapter set up throws the same error without
 * reading the file again, until `set()` or `close()`.
 * @example
 * const guardian = createGuardian({ policyFile: "config/hexarch.yaml", store: new RedisStore({ client }) });
 * processGuardian.set(guardian);            // before any adapter: every route and guard() uses it
 * app.use(hexarch());
 * process.on("SIGTERM", () => void guardian.close()); // empties it too
 */
export interface ProcessGuardian {
  /** The guardian in place, or undefined when none is. */
  (): Guardian | undefined;
  /** Puts `guardian` in place for adapters set up from now on; a guardian it replaces is not closed. */
  set(guardian: Guardian): void;
  /**
   * The guardian in place, else the one `create` makes, put in place. For adapters; an error `create` throws is
   * thrown again by every later call, unchanged, until `set()` or `close()`.
   */
  obtain(create: () => Guardian): Guardian;
  /** Closes the guardian in place (its decision log and store) and empties the slot. */
  close(): Promise<void>;
}

let current: Guardian | undefined;
/** Why creating the guardian failed (a broken policy file): thrown again unchanged, so every route reports it. */
let failure: { readonly error: unknown } | undefined;

/** The one process-wide guardian (see ProcessGuardian for its lifetime): `processGuardian()` is the one in place. */
export const processGuardian: ProcessGuardian = Object.assign((): Guardian | undefined => current, {
  set(guardian: Guardian): void {
    current = guardian;
    failure = undefined;
  },
  obtain(create: () => Guardian): Guardian {
    if (current !== undefined) return current;
    if (failure !== undefined) throw failure.error;
    try {
      current = create();
    } catch (error) {
      failure = { error };
      throw error;
    }
    return current;
  },
  async close(): Promise<void> {
    const closing = current;
    current = undefined;
    failure = undefined;
    await closing?.close();
  },
});

/** Empties the slot when `guardian` is in it: what a guardian's own `close()` calls. */
export function releaseProcessGuardian(guardian: Guardian): void {
  if (current === guardian) current = undefined;
}
