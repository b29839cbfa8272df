// createRemoteGuardian(): check/protect/settle against a `hexarch serve` over HTTP, with the same Decision values as in process.
// It speaks the server's JSON (src/server/schemas.ts) with its own plain types, so the main entry never loads zod schemas or hono.
import { contextError, type GuardContext } from "../engine/context.js";
import { Decision, type CounterReport, type FindingKind, type Outcome } from "../engine/decision.js";
import { PolicyViolation } from "./violation.js";
import { toWireContext } from "../engine/wire-context.js";
import { settleError } from "../engine/amount.js";
import type { TokenUsage } from "../engine/pricing/usage.js";

/** What POST /v1/decisions answers (the server's DecisionResponseSchema). */
interface DecisionResponse {
  readonly id: string;
  readonly outcome: Outcome;
  readonly reason: string;
  readonly kind: string | null;
  readonly rule: { readonly policy: string; readonly index: number; readonly summary: string } | null;
  readonly retry_after: number | null;
  readonly counters: readonly {
    policy: string;
    rule: number;
    kind: "rate" | "budget";
    window: string;
    limit: number;
    used: number;
    remaining: number;
    reset_at: string;
  }[];
  readonly warnings: readonly { kind: string; message: string; would_be: Outcome | null }[];
  readonly would_be: Outcome | null;
  readonly confirm?: { readonly token?: string; readonly expires_at?: string; readonly rejected?: string; readonly how: string };
}

/** Options for createRemoteGuardian. */
export interface RemoteGuardianOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:8099`. */
  readonly url: string;
  /** An `hxk_…` key with the decide scope (or the dev token). Default: none (a loopback server without keys). */
  readonly apiKey?: string;
  /** How long one call may take before it counts as an outage, in milliseconds. Default: 1000. */
  readonly timeoutMs?: number;
  /**
   * What an outage (timeout, network error, 5xx) answers: `closed` refuses (outcome `error`, 503-like), `open`
   * allows with a warning. Default: each named policy's own `fail:` as the server reported it, else closed.
   */
  readonly fail?: "open" | "closed";
  /** The fetch to use. Default: the global fetch. */
  readonly fetch?: typeof fetch;
}

/** What a remote check may add: the token from an earlier confirm answer. */
export interface RemoteCheckOptions {
  readonly confirmToken?: string;
  readonly dryRun?: boolean;
}

/** Sends a settlement (`{ cost }` or `{ usage }`) for one decision to the server. */
type SettleSender = (body: { cost: number } | { usage: TokenUsage }) => Promise<void>;

/** A Decision made by a server: its id (for settle) and, for `confirm`, the token that admits the same call once. */
export class RemoteDecision extends Decision {
  /** The server's decision id; empty when the server could not be reached. */
  readonly id: string;
  /** With outcome `confirm`: repeat the same check with `{ confirmToken: confirm.token }`. */
  readonly confirm: DecisionResponse["confirm"];
  readonly #send: SettleSender | undefined;

  constructor(id: string, init: ConstructorParameters<typeof Decision>[0], confirm?: DecisionResponse["confirm"], send?: SettleSender) {
    super(init);
    this.id = id;
    this.confirm = confirm;
    this.#send = send;
  }

  /** Settles on the server: a cost, or the provider's usage object, which the server prices by the call's model. */
  override settle(actual: number | TokenUsage): Promise<void> {
    if (this.#send === undefined) return Promise.resolve();
    if (typeof actual === "number") {
      const refused = settleError(actual);
      return refused === undefined ? this.#send({ cost: actual }) : Promise.reject(refused);
    }
    return this.#send({ usage: actual });
  }

  override release(): Promise<void> {
    return this.settle(0);
  }
}

/** The in-process guardian's surface, answered by a server. */
export interface RemoteGuardian {
  check(policyId: string | readonly string[], context?: GuardContext, options?: RemoteCheckOptions): Promise<RemoteDecision>;
  evaluate(context: GuardContext, options?: RemoteCheckOptions): Promise<RemoteDecision>;
  /**
   * The decider port every guardian has (see `Guardian.decideNow`): `check(policyIds)` or `evaluate()`. A server's
   * answer always takes a round trip, so this is always a promise.
   */
  decideNow(context: GuardContext, policyIds?: readonly string[]): Promise<RemoteDecision>;
  protect<A extends unknown[], R>(
    policyId: string,
    fn: (...args: A) => R,
    options?: {
      readonly context?: GuardContext | ((...args: A) => GuardContext);
      readonly cost?: number | ((...args: A) => number);
      readonly settle?: (result: Awaited<R>) => number;
    },
  ): (...args: A) => Promise<Awaited<R>>;
  /** Nothing to release; for symmetry with createGuardian(). */
  close(): Promise<void>;
}

/** Seconds to suggest after an outage. */
const OUTAGE_RETRY_AFTER = 5;

function reportOf(c: DecisionResponse["counters"][number]): CounterReport {
  return {
    rule: { policyId: c.policy, index: c.rule, summary: "" },
    kind: c.kind,
    window: c.window,
    windowSeconds: 0,
    limit: c.limit,
    used: c.used,
    remaining: c.remaining,
    resetAt: Date.parse(c.reset_at),
    partition: "",
    warnAt: undefined,
  };
}

/**
 * A guardian whose decisions come from a `hexarch serve`: change `createGuardian()` to `createRemoteGuardian({ url,
 * apiKey })` and the code around it stays. A call the server does not answer in time follows the fail mode.
 * @example
 * const guardian = createRemoteGuardian({ url: "http://127.0.0.1:8099", apiKey: process.env.HEXARCH_KEY });
 * const decision = await guardian.check("api_budget", { resource: "openai", cost: 0.2 });
 * if (decision.isAllowed()) await decision.settle(0.12);
 */
export function createRemoteGuardian(options: RemoteGuardianOptions): RemoteGuardian {
  const base = options.url.replace(/\/+$/, "");
  const send = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 1000;
  const headers: Record<string, string> = {
    "content-type": "application/json",
    ...(options.apiKey === undefined ? {} : { authorization: `Bearer ${options.apiKey}` }),
  };
  /** Each policy's fail mode, as the server reported it on the first call. */
  let failModes: Promise<Map<string, string>> | undefined;

  const post = async (path: string, body: unknown): Promise<Response> =>
    send(`${base}${path}`, { method: "POST", headers, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });

  const learnFailModes = (): Promise<Map<string, string>> =>
    (failModes ??= send(`${base}/v1/policies`, { headers, signal: AbortSignal.timeout(timeoutMs) })
      .then(
        async (response) =>
          new Map(((await response.json()) as { policies: { id: string; fail: string }[] }).policies.map((p) => [p.id, p.fail])),
      )
      .catch(() => {
        failModes = undefined;
        return new Map<string, string>();
      }));

  const outage = async (ids: readonly string[] | undefined, cause: string): Promise<RemoteDecision> => {
    const modes = options.fail === undefined ? await learnFailModes() : new Map<string, string>();
    const open =
      options.fail === "open" ||
      (options.fail === undefined && ids !== undefined && ids.length > 0 && ids.every((id) => modes.get(id) === "open"));
    if (open)
      return new RemoteDecision("", {
        outcome: "warn",
        reason: `decision server unavailable (${cause}); allowed because the policy fails open`,
        warnings: [{ kind: "store", message: cause }],
      });
    return new RemoteDecision("", {
      outcome: "error",
      kind: "store",
      reason: `decision server unavailable (${cause}); refused because the policy fails closed`,
      retryAfter: OUTAGE_RETRY_AFTER,
    });
  };

  const decide = async (
    ids: readonly string[] | undefined,
    context: GuardContext,
    check: RemoteCheckOptions = {},
  ): Promise<RemoteDecision> => {
    const refused = contextError(context, ids === undefined ? "evaluate()" : "check()");
    if (refused !== undefined) throw refused;
    if (options.fail === undefined && failModes === undefined) void learnFailModes();
    const body = {
      ...(ids === undefined ? {} : { policy: ids.length === 1 ? ids[0] : ids }),
      context: toWireContext(context),
      ...(check.dryRun === true ? { dry_run: true } : {}),
      ...(check.confirmToken === undefined ? {} : { confirm_token: check.confirmToken }),
    };
    let response: Response;
    try {
      response = await post("/v1/decisions", body);
    } catch (error) {
      return outage(ids, (error as Error).name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : (error as Error).message);
    }
    if (response.status >= 500) return outage(ids, `status ${response.status}`);
    if (!response.ok) {
      const problem = (await response.json().catch(() => ({}))) as { detail?: string };
      throw new TypeError(`the decision server refused the request (${response.status}): ${problem.detail ?? response.statusText}`);
    }
    const answer = (await response.json()) as DecisionResponse;
    const rule =
      answer.rule === null ? undefined : { policyId: answer.rule.policy, index: answer.rule.index, summary: answer.rule.summary };
    return new RemoteDecision(
      answer.id,
      {
        outcome: answer.outcome,
        reason: answer.reason,
        kind: (answer.kind ?? undefined) as FindingKind | undefined,
        rule,
        retryAfter: answer.retry_after ?? undefined,
        counters: answer.counters.map(reportOf),
        warnings: answer.warnings.map((w) => ({
          kind: w.kind as "budget",
          message: w.message,
          ...(w.would_be === null ? {} : { wouldBe: w.would_be }),
        })),
        wouldBe: answer.would_be ?? undefined,
      },
      answer.confirm,
      async (body) => {
        const settled = await post(`/v1/decisions/${answer.id}/settle`, body);
        if (settled.ok || settled.status === 409) return;
        const problem = (await settled.json().catch(() => ({}))) as { detail?: string };
        throw new Error(`the decision server could not settle ${answer.id} (${settled.status}): ${problem.detail ?? settled.statusText}`);
      },
    );
  };

  return {
    check: (policyId, context = {}, check) => decide(typeof policyId === "string" ? [policyId] : policyId, context, check),
    evaluate: (context, check) => decide(undefined, context, check),
    decideNow: (context, policyIds) => decide(policyIds, context),
    protect:
      <A extends unknown[], R>(policyId: string, fn: (...args: A) => R, protectOptions: Parameters<RemoteGuardian["protect"]>[2] = {}) =>
      async (...args: A): Promise<Awaited<R>> => {
        const { context, cost, settle } = protectOptions as {
          context?: GuardContext | ((...a: A) => GuardContext);
          cost?: number | ((...a: A) => number);
          settle?: (result: Awaited<R>) => number;
        };
        const base = typeof context === "function" ? context(...args) : (context ?? {});
        const estimate = typeof cost === "function" ? cost(...args) : cost;
        const decision = await decide([policyId], estimate === undefined ? base : { ...base, cost: estimate });
        if (decision.isDenied()) throw new PolicyViolation(decision);
        const result = await fn(...args);
        if (settle !== undefined) await decision.settle(settle(result));
        return result;
      },
    close: async () => {},
  };
}
