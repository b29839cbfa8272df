// createGuardian(): loads the policy file once, builds the engine, and offers check() and protect().
import { MemoryStore } from "../stores/memory.js";
import { storeFromConfig } from "./store-from-config.js";
import type { CounterStore } from "../stores/store.js";
import { discoverPolicyFile } from "../engine/config/discover.js";
import { joinPolicySources, type CodePolicy } from "../engine/config/code-policies.js";
import { loadPolicyFile, parsePolicyText, type LoadedPolicyFile } from "../engine/config/load.js";
import { compilePolicySet, type CompiledPolicy, type Mode, type PolicySet } from "../engine/compile/policy-set.js";
import { contextError, type GuardContext } from "../engine/context.js";
import { Decision } from "../engine/decision.js";
import type { TokenUsage } from "../engine/pricing/usage.js";
import { PolicyConfigError, type ConfigProblem } from "../errors/config-error.js";
import { PolicyViolation } from "./violation.js";
import { Engine, type CounterSlot, type KeyFunction } from "../engine/engine.js";
import { resetCounters } from "../engine/reset.js";
import { configWarning, SILENT_LOGGER, type Logger } from "../errors/warnings.js";
import { decisionLogFromConfig } from "../log/settings.js";
import { loggedEngine } from "../log/logged-engine.js";
import type { Notifier } from "../notify/notifier.js";
import { approvalsFromConfig } from "./approvals/approvals-setup.js";
import type { ApprovalStepListener, GuardianApprovals } from "./approvals/guardian-approvals.js";
import { contextCall, pageUnder } from "./approvals/approval-record.js";
import { releaseProcessGuardian } from "./process-guardian.js";
import { BudgetAlerts } from "../observe/budget-alerts.js";
import { observedDecider } from "../observe/observed-decider.js";
import { decisionTelemetry, type TelemetryOption } from "../observe/telemetry.js";
import { observeOptions } from "../observe/observe-options.js";

/** Options for createGuardian. Everything is optional: by default hexarch.yaml is discovered and counters live in memory. */
export interface GuardianOptions {
  /** Path of the policy file. Default: `HEXARCH_POLICY_FILE`, else the first hexarch.yaml/yml walking up from `cwd`. */
  readonly policyFile?: string;
  /** Policy file content given directly (tests, generated policies); `policyFile` then only names it in errors. */
  readonly policyText?: string;
  /**
   * Policies written in code, with the same keys as in the policy file (a rate limit may also be a function of the
   * call). Problems name their key path, e.g. `policies[0].rules[1].requests_per_minute`. With `policies`, a policy
   * file is read only when named (`policyFile`, `policyText` or `HEXARCH_POLICY_FILE`); its policies come first, and
   * ids must be unique across both. Default: none.
   * @example createGuardian({ policies: [{ id: "api", rules: [{ route: "/api/*", requests_per_minute: 100 }] }] })
   */
  readonly policies?: readonly CodePolicy[];
  /** Where discovery starts. Default: `process.cwd()`. */
  readonly cwd?: string;
  /** Counter store. Default: a RedisStore when `HEXARCH_REDIS_URL` or the file's `store.redis_url` names one, else a new MemoryStore. */
  readonly store?: CounterStore;
  /**
   * Overrides every policy's enforcement: `strict`, `warn` (shadow: report, block nothing) or `off`. Default: `HEXARCH_MODE`, else per
   * policy/file.
   */
  readonly mode?: Mode | "off";
  /** Deployment environment. Default: `HEXARCH_ENV`, then `NODE_ENV`, then `development`. */
  readonly environment?: string;
  /**
   * Clock in epoch milliseconds, for calendar budgets and time windows. Default: `Date.now`. A value that is not a
   * number, or is NaN, infinite or beyond ±8.6e15, makes the call that read it throw a TypeError or RangeError.
   */
  readonly clock?: () => number;
  /** Custom counter keys named by `key:` in policies. */
  readonly keys?: Readonly<Record<string, KeyFunction>>;
  /** Prefix of every counter key. Default: `hexarch:`. */
  readonly prefix?: string;
  /** Seconds to suggest in Retry-After after a store failure. Default: 5. */
  readonly storeRetryAfter?: number;
  /** pino-shaped logger. Default: silent (one-time configuration warnings still go to process warnings). */
  readonly logger?: Logger;
  /** Environment variables to read. Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * `false` skips the policy file's decision log (for tools that evaluate calls that never happened). Default: the file's `logging:`
   * section.
   */
  readonly decisionLog?: false;
  /**
   * Where events for the policy file's `notify:` targets go: approval requests and budget alerts (`budget.warning`,
   * `budget.exhausted`, once per threshold, period and key across every process sharing the store). Default: a
   * notifier for those targets, signed with `HEXARCH_SECRET`; none when the file has no `notify:`.
   */
  readonly notifier?: Notifier;
  /**
   * Called with every step of an approval request (requested, approved, denied, used, expired), beside the file's
   * decision log: for a server that keeps its own log. Default: none.
   */
  readonly onApprovalStep?: ApprovalStepListener;
  /**
   * OpenTelemetry, used when `@opentelemetry/api` is installed: decision metrics through the global meter (register
   * the meter provider before creating the guardian) and an event per decision on the active span. `{ spans: true }`
   * makes a span per decision instead; `false` turns it off. Default: on, with events. See docs/observability.md.
   */
  readonly telemetry?: TelemetryOption;
  /** The budgets page budget alerts link to, e.g. `https://hexarch.example.com/budgets`. Default: the policy file's
   * `approvals.base_url` with `/budgets`, else no link. */
  readonly budgetsPageUrl?: string;
}

/** Options for protect(). */
export interface ProtectOptions<A extends unknown[], R> {
  /** Facts about the call, fixed or computed from its arguments (`{ confirm: true }` once confirmation was obtained). */
  readonly context?: GuardContext | ((...args: A) => GuardContext);
  /**
   * Estimated cost of the call, reserved against budgets before it runs. For a model call, state `model`,
   * `inputTokens` and `maxOutputTokens` in `context` instead: the reservation is then priced from `prices:`.
   */
  readonly cost?: number | ((...args: A) => number);
  /**
   * Actual cost computed from the result, or the usage object the provider returned (`(reply) => reply.usage`,
   * priced by the call's model); replaces the estimate after the call. Return 0 to release the reservation.
   * Without `settle`, and whenever `fn` throws, the estimate stays spent (see README "When a reservation ends").
   */
  readonly settle?: (result: Awaited<R>) => number | TokenUsage;
}

/** Policies loaded once, with the engine that enforces them. */
export interface Guardian {
  /** The compiled policy set. */
  readonly policies: PolicySet;
  /** The counter store in use. */
  readonly store: CounterStore;
  /**
   * Decides a call against one named policy (or several). Never throws for a refusal; rejects with a TypeError, naming
   * the field meant, when the context has a field no GuardContext has (`input_tokens` for `inputTokens`).
   */
  check(policyId: string | readonly string[], context?: GuardContext): Promise<Decision>;
  /** Decides a call against every enabled policy whose rules match it (what `hexarch()` middleware does); context as check(). */
  evaluate(context: GuardContext): Promise<Decision>;
  /**
   * The decider port of hexarch's hot paths (the HTTP adapters, the decision server): decides like `check(policyIds)`,
   * or like `evaluate()` without ids, and hands back the Decision itself when the store answered in the same turn
   * (MemoryStore), else a promise of it. Checks neither the ids (check them once with `assertPolicy` where the caller
   * is set up) nor the context's field names (build it from known fields): both cost per call and are the caller's.
   * A guardian made another way (a test double, a wrapper) implements it, with `check()`/`evaluate()` if need be.
   * @example
   * ["safe_delete"].forEach((id) => guardian.assertPolicy(id)); // once, at set-up
   * const decided = guardian.decideNow({ method: "DELETE", route: "/users/7" }, ["safe_delete"]);
   * const decision = decided instanceof Decision ? decided : await decided;
   */
  decideNow(context: GuardContext, policyIds?: readonly string[]): Decision | Promise<Decision>;
  /** Wraps a function so it runs only when the policy allows; otherwise it rejects with PolicyViolation without running. */
  protect<A extends unknown[], R>(
    policyId: string,
    fn: (...args: A) => R,
    options?: ProtectOptions<A, R>,
  ): (...args: A) => Promise<Awaited<R>>;
  /**
   * The counters a call would count against (every matching policy, or only `policyIds`), with their store
   * keys, without counting. For tools that read or preset counters, such as `hexarch test` starting state.
   * @example
   * for (const slot of guardian.countersFor({ resource: "openai" })) await guardian.store.set(slot.key, slot.points(9), slot.windowMs);
   */
  countersFor(context: GuardContext, policyIds?: readonly string[]): readonly CounterSlot[];
  /**
   * Deletes a policy's counters so they start again from zero: for one partition (`key`: the client address, user id,
   * API key or custom key value the counter is kept for; `*` for a global counter), or for every partition. For
   * support staff and tests. An unknown policy id throws PolicyConfigError; a store without `resetKey`/`resetPrefix`
   * rejects with a TypeError.
   * @example await guardian.reset("api_rate", "203.0.113.9");
   */
  reset(policyId: string, key?: string): Promise<void>;
  /** Throws PolicyConfigError (listing the known ids) when a policy id is unknown. */
  assertPolicy(policyId: string): void;
  /**
   * Approval requests of `require_approval` rules: approve, deny, list, wait.
   * @example await guardian.approvals.approve(violation.approval.id, { by: "ada" });
   */
  readonly approvals: GuardianApprovals;
  /**
   * Writes every queued decision-log record, then releases the log and the store. When this guardian is the
   * process-wide one (`processGuardian`), the slot empties: the next adapter set up fills it afresh.
   */
  close(): Promise<void>;
}

const MODES = ["strict", "warn", "off"] as const;

/** Ends a reservation at its estimate (the call ran, its actual cost is not known): nothing given back. */
function spendEstimate(decision: Decision): Promise<void> | undefined {
  const { reserved } = decision;
  return reserved === undefined ? undefined : decision.settle(reserved);
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === "function"
  );
}

function readMode(options: GuardianOptions, env: Readonly<Record<string, string | undefined>>): Mode | "off" | undefined {
  if (options.mode !== undefined) return options.mode;
  const fromEnv = env["HEXARCH_MODE"];
  if (fromEnv === undefined || fromEnv === "") return undefined;
  if ((MODES as readonly string[]).includes(fromEnv)) return fromEnv as Mode | "off";
  throw new PolicyConfigError([
    { file: "<environment>", path: "HEXARCH_MODE", message: `unknown mode "${fromEnv}"`, fix: "use strict, warn or off" },
  ]);
}

function loadFile(options: GuardianOptions, env: Readonly<Record<string, string | undefined>>): LoadedPolicyFile | undefined {
  const named = options.policyText !== undefined || (options.policyFile ?? "") !== "" || (env["HEXARCH_POLICY_FILE"] ?? "") !== "";
  if (options.policies !== undefined && !named) return undefined;
  if (options.policyText !== undefined) return parsePolicyText(options.policyText, options.policyFile ?? "<policyText>");
  const discovery = {
    env,
    ...(options.policyFile === undefined ? {} : { policyFile: options.policyFile }),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  };
  return loadPolicyFile(discoverPolicyFile(discovery));
}

function checkCustomKeys(set: PolicySet, keys: Readonly<Record<string, KeyFunction>>): void {
  const problems: ConfigProblem[] = [];
  for (const [name, indexed] of set.customKeys) {
    if (typeof keys[name] === "function") continue;
    const { ref } = indexed.rule;
    problems.push({
      file: indexed.policy.source,
      ...(ref.line === undefined ? {} : { line: ref.line, column: ref.column ?? 1 }),
      policyId: ref.policyId,
      path: `policies.${ref.policyId}.rules[${ref.index}].key`,
      message: `key "${name}" is neither a built-in key (client, user, api_key, route, global) nor a key function`,
      fix: `pass createGuardian({ keys: { ${name}: (ctx) => ... } }), or use a built-in key`,
    });
  }
  if (problems.length > 0) throw new PolicyConfigError(problems);
}

/** The clock option, checked once: a function (its values are checked where they are read, per call). */
function clockOption(clock: unknown): () => number {
  if (clock === undefined) return Date.now;
  if (typeof clock === "function") return clock as () => number;
  throw new PolicyConfigError(
    [
      {
        file: "<options>",
        path: "createGuardian().clock",
        message: `expected a function, got ${clock === null ? "null" : typeof clock}`,
        fix: "pass a function returning epoch milliseconds, e.g. () => Date.now(), or leave it out",
      },
    ],
    "invalid options for createGuardian()",
  );
}

/**
 * Loads and validates the policy file once and returns a Guardian. A broken file throws PolicyConfigError
 * here, naming file, line, column and the fix, never later per call.
 * @example
 * const guardian = createGuardian();
 * const cleanup = guardian.protect("safe_delete", cleanupOldData);
 * await cleanup(); // rejects with PolicyViolation: Policy 'safe_delete' requires confirmation…
 */
export function createGuardian(options: GuardianOptions = {}): Guardian {
  const env = options.env ?? process.env;
  const clock = clockOption(options.clock);
  const observing = observeOptions(options);
  const mode = readMode(options, env);
  const loaded = joinPolicySources(loadFile(options, env), options.policies);
  const set = compilePolicySet(loaded);
  const keys = options.keys ?? {};
  checkCustomKeys(set, keys);
  const logger = options.logger ?? SILENT_LOGGER;
  for (const notice of set.notices) configWarning(logger, "HEXARCH_NOTICE", notice);
  const cwd = options.cwd ?? process.cwd();
  const store: CounterStore = options.store ?? storeFromConfig(loaded, { env, cwd, logger }) ?? new MemoryStore({ clock });
  const environment = options.environment ?? env["HEXARCH_ENV"] ?? env["NODE_ENV"] ?? "development";
  const prefix = options.prefix ?? "hexarch:";
  const log = options.decisionLog === false ? undefined : decisionLogFromConfig(loaded, { env, cwd, logger, environment, clock });
  const telemetrySources = { set, store, prefix, clock, logger };
  const telemetry = decisionTelemetry(observing.telemetry, { ...telemetrySources, log }, cwd);
  const engine = new Engine(set, {
    store,
    mode,
    environment,
    clock,
    keys,
    prefix,
    storeRetryAfter: options.storeRetryAfter ?? 5,
    onStoreError: (error) => {
      telemetry?.storeFailed(store.name);
      logger.error({ err: error, store: store.name }, "hexarch: counter store failed");
      configWarning(logger, "HEXARCH_STORE_UNAVAILABLE", `counter store ${store.name} failed; policies follow their fail mode`);
    },
  });

  const { approvals, notifier, asksApproval } = approvalsFromConfig(loaded, set, {
    store,
    prefix,
    clock,
    env,
    logger,
    log,
    notifier: observing.notifier,
    onStep: options.onApprovalStep,
    decideFor: (ids) => (context) => decider.decideNow(context, ids),
  });
  // Budget alerts go to the same targets as approval requests: the notifier given, else the file's own.
  const alertsTo = observing.notifier ?? notifier;
  const pageUrl = observing.budgetsPageUrl ?? pageUnder(loaded?.spec.approvals?.base_url, "budgets");
  const alerts = alertsTo === undefined ? undefined : new BudgetAlerts({ ...telemetrySources, notifier: alertsTo, pageUrl });
  const logged = log === undefined ? engine : loggedEngine(engine, log);
  const decider = telemetry === undefined && alerts === undefined ? logged : observedDecider(logged, telemetry, alerts);

  const assertPolicy = (policyId: string): void => {
    if (set.policies.has(policyId)) return;
    const known = [...set.policies.keys()];
    throw new PolicyConfigError([
      {
        file: set.file,
        path: "policies",
        message: `no policy with id "${policyId}"`,
        fix: known.length === 0 ? "add the policy to the file" : `use one of: ${known.join(", ")}`,
      },
    ]);
  };

  // One frozen id list per policy, so checking a single policy allocates no list per call.
  const singleIds = new Map([...set.policies.keys()].map((id) => [id, Object.freeze([id])]));
  const idsFor = (policyId: string | readonly string[]): readonly string[] => {
    if (typeof policyId !== "string") {
      policyId.forEach(assertPolicy);
      return policyId;
    }
    const single = singleIds.get(policyId);
    if (single === undefined) assertPolicy(policyId);
    return single as readonly string[];
  };
  /** Decides through the approval step a call that carries an id or that a require_approval rule refused. */
  const decideCall = async (context: GuardContext, ids: readonly string[] | undefined): Promise<Decision> => {
    const decided = !asksApproval || context.approval === undefined ? await decider.decide(context, ids) : undefined;
    if (decided !== undefined && (!asksApproval || decided.kind !== "approval")) return decided;
    return approvals.decide(context, { policies: ids, binding: contextCall(context, ids), decided });
  };
  const check = (policyId: string | readonly string[], context: GuardContext = {}): Promise<Decision> => {
    const ids = idsFor(policyId);
    const refused = contextError(context, "check()");
    return refused === undefined ? decideCall(context, ids) : Promise.reject(refused);
  };

  const protect = <A extends unknown[], R>(policyId: string, fn: (...args: A) => R, protectOptions: ProtectOptions<A, R> = {}) => {
    const ids = idsFor(policyId);
    const { context, cost, settle } = protectOptions;
    return async (...args: A): Promise<Awaited<R>> => {
      const base = typeof context === "function" ? context(...args) : (context ?? {});
      const refused = contextError(base, "protect()");
      if (refused !== undefined) throw refused;
      const estimate = typeof cost === "function" ? cost(...args) : cost;
      // Awaited only when they are promises: a synchronous store and function cost no extra turn of the event loop.
      const call = estimate === undefined ? base : { ...base, cost: estimate };
      const decided = asksApproval ? decideCall(call, ids) : decider.decideNow(call, ids);
      const decision = decided instanceof Decision ? decided : await decided;
      if (decision.isDenied()) throw new PolicyViolation(decision);
      let result: Awaited<R>;
      try {
        const returned = fn(...args);
        result = (isPromiseLike(returned) ? await returned : returned) as Awaited<R>;
      } catch (error) {
        // fn may have spent before it threw: the estimate becomes the spend, and the reservation ends.
        await spendEstimate(decision);
        throw error;
      }
      await (settle === undefined ? spendEstimate(decision) : decision.settle(settle(result)));
      return result;
    };
  };

  const guardian: Guardian = {
    policies: set,
    store,
    check,
    evaluate: (context) => {
      const refused = contextError(context, "evaluate()");
      return refused === undefined ? decideCall(context, undefined) : Promise.reject(refused);
    },
    // Bound, not wrapped: the adapters' hot path goes straight to the engine (or the decision log in front of it).
    decideNow: decider.decideNow.bind(decider),
    countersFor: (context, policyIds) => {
      policyIds?.forEach(assertPolicy);
      const refused = contextError(context, "countersFor()");
      if (refused !== undefined) throw refused;
      return engine.countersFor(context, policyIds);
    },
    protect,
    reset: async (policyId, key) => {
      assertPolicy(policyId);
      await resetCounters(set.policies.get(policyId) as CompiledPolicy, key, { store, prefix, clock });
    },
    assertPolicy,
    approvals,
    close: async () => {
      releaseProcessGuardian(guardian);
      await notifier?.close();
      await log?.close();
      await store.close?.();
    },
  };
  return guardian;
}
