// The policies a server decides with: loaded from the file, swapped whole on reload, the last good set kept when a reload fails.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { compilePolicySet } from "../engine/compile/policy-set.js";
import { parsePolicyText } from "../engine/config/load.js";
import { formatProblem, PolicyConfigError } from "../errors/config-error.js";
import type { KeyFunction } from "../engine/engine.js";
import { createGuardian, type Guardian } from "../guardian/create-guardian.js";
import type { ApprovalStepListener } from "../guardian/approvals/guardian-approvals.js";
import type { NotifyTarget } from "../notify/create-notifier.js";
import type { Notifier } from "../notify/notifier.js";
import type { Logger } from "../errors/warnings.js";
import type { CounterStore } from "../stores/store.js";
import { dryRunView } from "./dry-run-store.js";

/** One loaded version of the policy file. */
export interface LoadedPolicies {
  /** Decides and counts. */
  readonly guardian: Guardian;
  /** Decides against the same counters without changing them (`dry_run`, explain). */
  readonly dryRun: Guardian;
  /** The file's `notify:` targets (where approval requests go). */
  readonly notify: readonly NotifyTarget[];
  /** SHA-256 of the file's text. */
  readonly digest: string;
  readonly loadedAt: number;
}

/** Where the policies come from and what they count in. */
export interface RuntimeOptions {
  readonly path: string;
  readonly store: CounterStore;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly logger: Logger;
  /** Where approval requests are sent (the server's notifier, whose drops /metrics counts). */
  readonly notifier?: Notifier | undefined;
  /** Hears every approval step, for the server's decision log. */
  readonly onApprovalStep?: ApprovalStepListener | undefined;
}

function load(options: RuntimeOptions): LoadedPolicies {
  const text = readFileSync(options.path, "utf8");
  const loaded = parsePolicyText(text, options.path);
  // Custom counter keys (`key: tenant`) are read from the request's `keys`; a call that names none counts per client.
  const keys: Record<string, KeyFunction> = {};
  for (const name of compilePolicySet(loaded).customKeys.keys()) keys[name] = () => undefined;
  const common = {
    policyText: text,
    policyFile: options.path,
    keys,
    env: options.env,
    cwd: options.cwd,
    logger: options.logger,
    decisionLog: false,
    ...(options.notifier === undefined ? {} : { notifier: options.notifier }),
  } as const;
  return {
    guardian: createGuardian({
      ...common,
      store: options.store,
      ...(options.onApprovalStep === undefined ? {} : { onApprovalStep: options.onApprovalStep }),
    }),
    dryRun: createGuardian({ ...common, store: dryRunView(options.store) }),
    notify: loaded.spec.notify ?? [],
    digest: createHash("sha256").update(text).digest("hex"),
    loadedAt: Date.now(),
  };
}

/**
 * Holds the current policies. `reload()` reads the file again: a valid file replaces the policies for every later
 * call; a broken one leaves them as they were and is reported in `problems` (and `/health` turns degraded).
 * @example const runtime = new PolicyRuntime({ path, store, env, cwd, logger }); runtime.current.guardian.check("api")
 */
export class PolicyRuntime {
  #current: LoadedPolicies;
  #problems: readonly string[] = [];
  readonly #options: RuntimeOptions;

  /** Loads the file; a broken file throws PolicyConfigError (a server does not start on it). */
  constructor(options: RuntimeOptions) {
    this.#options = options;
    this.#current = load(options);
  }

  /** The policy file's path. */
  get path(): string {
    return this.#options.path;
  }

  get current(): LoadedPolicies {
    return this.#current;
  }

  /** Why the last reload was refused; empty when the file in use is the file on disk. */
  get problems(): readonly string[] {
    return this.#problems;
  }

  /** Reads the file again; true when the new policies are in use. */
  reload(): boolean {
    try {
      const next = load(this.#options);
      this.#problems = [];
      if (next.digest === this.#current.digest) return true;
      this.#current = next;
      this.#options.logger.info({ digest: next.digest }, "hexarch serve: policy file reloaded");
      return true;
    } catch (error) {
      const problems = error instanceof PolicyConfigError ? error.problems.map(formatProblem) : [(error as Error).message];
      this.#problems = problems;
      this.#options.logger.error(
        { problems },
        `hexarch serve: ${this.#options.path} was not reloaded; the last good policies keep serving`,
      );
      return false;
    }
  }
}
