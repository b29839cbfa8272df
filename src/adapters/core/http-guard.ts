// The request flow every adapter runs: context, confirmation token, decision, answer, events, per-request handle.
import type { GuardContext } from "../../engine/context.js";
import { Decision } from "../../engine/decision.js";
import type { Guardian } from "../../guardian/create-guardian.js";
import { SILENT_LOGGER, type Logger } from "../../errors/warnings.js";
import { bodyDigest, type UnboundBody } from "./body-digest.js";
import { configuredSecret, processConfirmSecret } from "./confirm-secret.js";
import { ConfirmTokens, MAX_TOKEN_LENGTH, type ConfirmBinding } from "./confirm-token.js";
import type { HttpGuardOptions } from "./options.js";
import {
  DEFAULT_HEADERS,
  NO_HEADERS,
  writeDecisionHeaders,
  type FieldNames,
  type HeaderSwitches,
  type HeaderTarget,
} from "./rate-headers.js";
import { answerFor, DEFAULT_PROBLEM_TYPE_BASE, type ConfirmState, type HttpAnswer } from "./problem.js";
import type { RequestLedger } from "./request-ledger.js";
import type { AdapterSetup } from "./adapter-setup.js";
import type { AdapterTranslation, AdapterView, AnyAdapterOptions, GuardRequest } from "./define-adapter.js";
import { contextBuilder, proxyWatch, type HttpRequestView, type Writable } from "./context-builder.js";
import { unreadBody } from "./request-warnings.js";

/** A refusal: the status, headers and problem body to answer with, and the decision behind it. */
export type Refusal = Extract<HttpAnswer, { proceed: false }> & { readonly decision: Decision };

/** A request that may go ahead: the adapter writes its decision's headers (with a `headerWriter()` made once per guard). */
export interface Proceed {
  readonly proceed: true;
  readonly decision: Decision;
}

/** What the core answers for one request: go ahead, or this refusal; either way with the decision. */
export type GuardAnswer = Proceed | Refusal;

/** The answer for a guarded request, directly when nothing had to wait (memory store, no token), else a promise of it. */
export type Guarded = GuardAnswer | Promise<GuardAnswer>;

/**
 * Guards one request; undefined when the request is skipped. Never rejects for a refusal. `req` is what the app's
 * option functions receive, `view` how the core reads the request. `ledger` is the request's record shared by every
 * guard it passes (Express: `res.locals.hexarch`; Fetch: `ledgerFor(request)`).
 */
export type HttpGuard<Req> = (req: Req, view: HttpRequestView, ledger: RequestLedger) => Guarded | undefined;

/** What to guard with: the guardian, which policies (undefined = every policy, as `hexarch()`), and validated options. */
export interface HttpGuardConfig<Req> {
  readonly guardian: Guardian;
  readonly policies: readonly string[] | undefined;
  readonly options: HttpGuardOptions<Req>;
  /** Environment variables (for `HEXARCH_SECRET`). Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const CONFIRM_HEADER_NAME = "hexarch-confirm";
const APPROVAL_HEADER_NAME = "hexarch-approval";
const CLAIM_PREFIX = "hexarch:confirm:";

/** Resolves the `headers` option into switches. */
export function headerSwitches(option: HttpGuardOptions<unknown>["headers"]): HeaderSwitches {
  if (option === undefined || option === true) return DEFAULT_HEADERS;
  if (option === false) return NO_HEADERS;
  return { ...DEFAULT_HEADERS, ...option };
}

/** Sets the headers of a decision that lets its request go ahead on a response. */
export type HeaderWriter = (target: HeaderTarget, decision: Decision) => void;

/**
 * The header writer for a `headers` option, under the given names (WIRE_NAMES for a Node response).
 * @example const writeHeaders = headerWriter(options.headers, WIRE_NAMES); writeHeaders(res, ledger.decision);
 */
export function headerWriter(option: HttpGuardOptions<unknown>["headers"], names: FieldNames): HeaderWriter {
  const switches = headerSwitches(option);
  return (target, decision) => writeDecisionHeaders(target, decision, switches, names);
}

function tokenIssuer(config: HttpGuardConfig<never>, logger: Logger): () => ConfirmTokens {
  const secret = configuredSecret(config.options.secret, config.env ?? process.env);
  const ttlMs = (config.options.confirmTtl ?? 300) * 1000;
  let tokens: ConfirmTokens | undefined;
  return () =>
    (tokens ??= new ConfirmTokens({
      secret: secret ?? processConfirmSecret(logger),
      ttlMs,
      store: config.guardian.store,
      keyPrefix: CLAIM_PREFIX,
    }));
}

/** Logs a decision that is no plain allow: a store error as an error, every other outcome as a warning. */
function logDecision(logger: Logger, decision: Decision, view: HttpRequestView): void {
  const entry = { hexarch: decision.toJSON(), method: view.method, url: view.url };
  if (decision.outcome === "error") logger.error(entry, `hexarch: ${decision.reason}`);
  else logger.warn(entry, `hexarch: ${decision.outcome}: ${decision.reason}`);
}

/** Seconds to suggest after a confirmation could not be claimed because the store is down. */
const STORE_RETRY_AFTER = 5;

/** A fail-closed confirmation whose single use the store could not record: a store failure (503), not a 428 loop. */
function unclaimable(decision: Decision): Decision {
  return new Decision({
    outcome: "error",
    kind: "store",
    reason: `Policy '${decision.policyId ?? "?"}' could not be checked: the counter store could not record the confirmation token's use`,
    rule: decision.rule,
    retryAfter: STORE_RETRY_AFTER,
    counters: decision.counters,
    warnings: decision.warnings,
  });
}

/**
 * Builds the request flow for one `hexarch()` or `guard()`, from options validated beforehand. Per request: build
 * the context; redeem a `Hexarch-Confirm` token once per request (or ask the app's `confirm`); decide; issue a
 * fresh token with a 428; build the answer; record the decision on the request's handle; emit `onDecision` and
 * log refusals and warnings. A request that waits on nothing (no token, no async `confirm`, a decision made in the
 * same turn, no token to issue) is answered without a promise; every other goes through one async function.
 * @example
 * const run = createHttpGuard<Request>({ guardian, policies: ["safe_delete"], options: {} });
 * const answer = await run(req, new ExpressRequestView(req), ledger); // or without waiting, when it returns a value
 * if (answer !== undefined && !answer.proceed) send(answer);
 */
export function createHttpGuard<Req extends object>(config: HttpGuardConfig<Req>): HttpGuard<Req> {
  const { guardian, policies, options } = config;
  const buildContext = contextBuilder(options);
  const headers = headerSwitches(options.headers);
  const logger = options.logger ?? SILENT_LOGGER;
  // Decisions are logged only to a logger the app gave: the silent one would take every refusal's entry and drop it.
  const logsDecisions = options.logger !== undefined;
  const { skip, onDecision, confirm: appConfirm } = options;
  const problemTypeBase = options.problemTypeBase ?? DEFAULT_PROBLEM_TYPE_BASE;
  const tokens = tokenIssuer(config, logger);
  const plainAnswer = { headers, problemTypeBase };
  // Ids checked here, once: an unknown one throws PolicyConfigError at set-up instead of deciding nothing per request.
  policies?.forEach((id) => guardian.assertPolicy(id));
  const failsOpen = (ids: readonly string[]): boolean => ids.every((id) => guardian.policies.policies.get(id)?.fail === "open");
  const watchProxies = proxyWatch(logger);

  /** What a token binds for this request, or why its body cannot be bound (then no token is issued or redeemed). */
  const binding = async (view: HttpRequestView, ctx: GuardContext): Promise<ConfirmBinding | UnboundBody> => {
    const digest = bodyDigest(await view.body());
    if (typeof digest !== "string") return digest;
    return { method: view.method, target: view.url, bodyDigest: digest, client: ctx.client ?? "" };
  };

  /** Takes the request's `Hexarch-Confirm` token: the policies it confirms go on the ledger, or why it was refused. */
  const redeemToken = async (ledger: RequestLedger, header: string, view: HttpRequestView, ctx: GuardContext): Promise<void> => {
    const raw = header.trim();
    // A token is never taken for a body hexarch cannot see: the request is answered as unconfirmed.
    if (raw === "" || view.bodyUnseen?.() === true) return;
    if (raw.length > MAX_TOKEN_LENGTH) {
      ledger.tokenRejection = "malformed";
      return;
    }
    const bound = await binding(view, ctx);
    if ("status" in bound) return;
    const check = await tokens().redeem(raw, bound);
    if (check.ok) ledger.confirm(check.policies);
    else if (check.rejection === "unavailable" && failsOpen(check.policies)) {
      logger.warn({ policies: check.policies }, "hexarch: counter store down; confirmation accepted without single-use check (fail: open)");
      ledger.confirm(check.policies);
    } else ledger.tokenRejection = check.rejection;
  };

  /** What the 428 says about confirming: the fresh token, or why none can be issued for this request. */
  const issueToken = async (ledger: RequestLedger, view: HttpRequestView, ctx: GuardContext, policyId: string): Promise<ConfirmState> => {
    if (view.bodyUnseen?.() === true) return { unread: unreadBody(logger) };
    const bound = await binding(view, ctx);
    if ("status" in bound) return { unbound: bound };
    return { issued: tokens().issue(bound, [...new Set([...(ledger.confirmed ?? []), policyId])]) };
  };

  /** The refusal of `decision`; a refused token and the confirmation state go into its problem body. */
  const refusal = (ledger: RequestLedger, decision: Decision, confirm: ConfirmState | undefined): Refusal => {
    const rejected = ledger.tokenRejection;
    const state = rejected === undefined || confirm?.unbound !== undefined ? confirm : { ...confirm, rejected };
    const answer = answerFor(decision, state === undefined ? plainAnswer : { headers, confirm: state, problemTypeBase }) as Extract<
      HttpAnswer,
      { proceed: false }
    >;
    return { ...answer, decision };
  };

  /** The answer for `decision`, recorded on the ledger, handed to `onDecision` and logged when it is no plain allow. */
  const conclude = (req: Req, view: HttpRequestView, ledger: RequestLedger, decision: Decision, confirm?: ConfirmState): GuardAnswer => {
    const answer: GuardAnswer = decision.isAllowed() ? { proceed: true, decision } : refusal(ledger, decision, confirm);
    ledger.record(decision, logger);
    onDecision?.(decision, req);
    if (logsDecisions && decision.outcome !== "allow") logDecision(logger, decision, view);
    return answer;
  };

  /** Every request that waits on something: redeem (or ask the app) → decide → issue a token or refuse → conclude. */
  const guardAsync = async (
    req: Req,
    view: HttpRequestView,
    ledger: RequestLedger,
    ctx: Writable<GuardContext>,
    token: string | undefined,
    decided?: Promise<Decision> | Decision,
  ): Promise<GuardAnswer> => {
    if (appConfirm !== undefined) {
      if (await appConfirm(req)) ctx.confirm = true;
    } else {
      if (token !== undefined) await redeemToken(ledger, token, view, ctx);
      if (ledger.confirmed !== undefined) ctx.confirm = ledger.confirmed;
    }
    let decision = ctx.approval === undefined ? await (decided ?? guardian.decideNow(ctx, policies)) : undefined;
    if (decision === undefined || decision.kind === "approval") {
      // A person's approval, bound to this very request: taken once when approved, else the request to wait on.
      const bound = view.bodyUnseen?.() === true ? undefined : await binding(view, ctx);
      if (bound !== undefined && !("status" in bound)) {
        const call = { policies, binding: { ...bound, policies: policies ?? "*" }, decided: decision, admittedBy: ledger.approvalTaken };
        decision = await guardian.approvals.decide(ctx, call);
        // Taken by this guard: a later guard of the same request (hexarch() then guard()) counts it without taking it again.
        if (decision.isAllowed() && decision.approval?.status === "used") ledger.approvalTaken = decision.approval.id;
      } else if ((decision ??= await guardian.decideNow(ctx, policies)).kind === "approval")
        return conclude(req, view, ledger, decision, bound === undefined ? { unread: unreadBody(logger) } : { unbound: bound });
      if (decision.kind === "approval") return conclude(req, view, ledger, decision);
    }
    if (decision.outcome !== "confirm") return conclude(req, view, ledger, decision);
    if (ledger.tokenRejection === "unavailable") return conclude(req, view, ledger, unclaimable(decision));
    if (appConfirm !== undefined || decision.policyId === undefined) return conclude(req, view, ledger, decision);
    return conclude(req, view, ledger, decision, await issueToken(ledger, view, ctx, decision.policyId));
  };

  return function guardRequest(req, view, ledger) {
    if (skip?.(req) === true) return undefined;
    watchProxies(view);
    const ctx = buildContext(req, view);
    const approval = view.header(APPROVAL_HEADER_NAME)?.trim().slice(0, MAX_TOKEN_LENGTH);
    if (approval !== undefined && approval !== "") ctx.approval = approval;
    if (appConfirm !== undefined) return guardAsync(req, view, ledger, ctx, undefined);
    if (!ledger.tokenRead) {
      ledger.tokenRead = true;
      const token = view.header(CONFIRM_HEADER_NAME);
      if (token !== undefined) return guardAsync(req, view, ledger, ctx, token);
      // Policies are confirmed only by a token redeemed once the header was read: none yet for this request.
    } else if (ledger.confirmed !== undefined) ctx.confirm = ledger.confirmed;
    if (ctx.approval !== undefined) return guardAsync(req, view, ledger, ctx, undefined);
    const decided = guardian.decideNow(ctx, policies);
    // The same-turn path: decided without waiting, and no token to issue or to claim.
    if (decided instanceof Decision && decided.outcome !== "confirm") return conclude(req, view, ledger, decided);
    return guardAsync(req, view, ledger, ctx, undefined, decided);
  };
}

function rethrow(_view: unknown, error: unknown): never {
  throw error;
}

/**
 * The core's per-request function for one guard of an adapter (what `defineAdapter` hands to the translation's
 * `middleware`): runs the request flow on the view and answers through the translation's `proceed` or `refuse`, once;
 * a request that waits on nothing is answered without a promise. Errors go to the translation's `fail`.
 */
export function guardRequestFor<Options extends AnyAdapterOptions, View extends AdapterView<unknown>, Out>(
  translation: AdapterTranslation<Options, View, Out, unknown>,
  setup: AdapterSetup<Options>,
  policies: readonly string[] | undefined,
): GuardRequest<View, Out> {
  const { guardian, options } = setup;
  const { proceed, refuse } = translation;
  const fail: (view: View, error: unknown) => Out = translation.fail ?? rethrow;
  const run = createHttpGuard<object>({ guardian, policies, options: options as unknown as HttpGuardOptions<object> });
  const writeHeaders = headerWriter(options.headers, translation.fieldNames);
  const onDenied = options.onDenied as Options["onDenied"];
  const answer = (view: View, guarded: GuardAnswer | undefined): Out | Promise<Out> => {
    if (guarded === undefined) return proceed(view, undefined, writeHeaders);
    return guarded.proceed ? proceed(view, guarded.decision, writeHeaders) : refuse(view, guarded, onDenied);
  };
  return function guardAndAnswer(view) {
    let guarded;
    try {
      guarded = run(view.request as object, view, view.ledger);
    } catch (error) {
      return fail(view, error);
    }
    if (guarded instanceof Promise)
      return guarded.then(
        (value) => answer(view, value),
        (error: unknown) => fail(view, error),
      );
    // The same-turn path, answered here without a second call: most requests go on with their headers written.
    if (guarded?.proceed === true) return proceed(view, guarded.decision, writeHeaders);
    return answer(view, guarded);
  };
}
