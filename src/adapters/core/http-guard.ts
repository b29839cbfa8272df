// The request flow every adapter runs: context, confirmation token, decision, answer, events, per-request handle.
import type { GuardContext } from "../../engine/context.js";
import { Decision } from "../../engine/decision.js";
import { sameTurnDecider, type Guardian } from "../../guardian/create-guardian.js";
import { SILENT_LOGGER, type Logger } from "../../errors/warnings.js";
import { answerFor, type HttpAnswer } from "./answer.js";
import { bodyDigest, type UnboundBody } from "./body-digest.js";
import { configuredSecret, processConfirmSecret } from "./confirm-secret.js";
import { ConfirmTokens, MAX_TOKEN_LENGTH, type ConfirmBinding, type IssuedToken } from "./confirm-token.js";
import type { HttpGuardOptions } from "./options.js";
import {
  DEFAULT_HEADERS,
  NO_HEADERS,
  writeDecisionHeaders,
  type FieldNames,
  type HeaderSwitches,
  type HeaderTarget,
} from "./rate-headers.js";
import { DEFAULT_PROBLEM_TYPE_BASE } from "./problem.js";
import type { RequestLedger } from "./request-ledger.js";
import { contextBuilder, type RequestReader } from "./context-builder.js";
import { proxyWatch, unreadBody } from "./request-warnings.js";

/** A refusal: the status, headers and problem body to answer with. */
export type Refusal = Extract<HttpAnswer, { proceed: false }>;

/** The answer to every request that may go ahead: its headers come from the decision, written by the adapter. */
export const PROCEED = Object.freeze({ proceed: true } as const);

/** What the core answers for one request: go ahead, or this refusal. */
export type GuardAnswer = typeof PROCEED | Refusal;

/**
 * The answer for a guarded request, directly when nothing had to wait (memory store, no token), else a promise of
 * it. Its decision is the ledger's latest (`ledger.decision`); the ledger is the handle adapters expose to the app.
 * On PROCEED, the adapter writes the decision's headers itself, with a `headerWriter()` made once per guard.
 */
export type Guarded = GuardAnswer | Promise<GuardAnswer>;

/**
 * Guards one request; undefined when the request is skipped. Never rejects for a refusal. `req` is what the app's
 * option functions receive, `src` what the config's reader reads (the same object in Express and Koa). `ledger` is
 * the request's record shared by every guard it passes (Express: `res.locals.hexarch`; Fetch: `ledgerFor(request)`).
 */
export type HttpGuard<Req, Src> = (req: Req, src: Src, ledger: RequestLedger) => Guarded | undefined;

/** What to guard with: the guardian, which policies (undefined = every policy, as `hexarch()`), and validated options. */
export interface HttpGuardConfig<Req, Src> {
  readonly guardian: Guardian;
  /** How the request is read from `src`. */
  readonly reader: RequestReader<Src>;
  readonly policies: readonly string[] | undefined;
  readonly options: HttpGuardOptions<Req>;
  /** Environment variables (for `HEXARCH_SECRET`). Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const CONFIRM_HEADER_NAME = "hexarch-confirm";
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

function tokenIssuer(config: HttpGuardConfig<never, never>, logger: Logger): () => ConfirmTokens {
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

function logDecision<Src>(logger: Logger, decision: Decision, reader: RequestReader<Src>, src: Src): void {
  if (decision.outcome === "allow") return;
  const entry = { hexarch: decision.toJSON(), method: reader.method(src), url: reader.url(src) };
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
 * log refusals and warnings.
 * @example
 * const run = createHttpGuard<Request, Request>({ guardian, reader: EXPRESS_READER, policies: ["safe_delete"], options: {} });
 * const answer = await run(req, req, ledger); // or without waiting, when it returns a value
 * if (answer !== undefined && !answer.proceed) send(answer, ledger.decision);
 */
export function createHttpGuard<Req extends object, Src>(config: HttpGuardConfig<Req, Src>): HttpGuard<Req, Src> {
  const { guardian, policies, options, reader } = config;
  const buildContext = contextBuilder(options, reader);
  const headers = headerSwitches(options.headers);
  const logger = options.logger ?? SILENT_LOGGER;
  const { skip, onDecision, confirm: appConfirm } = options;
  const problemTypeBase = options.problemTypeBase ?? DEFAULT_PROBLEM_TYPE_BASE;
  const tokens = tokenIssuer(config, logger);
  const plainAnswer = { headers, problemTypeBase };
  const decide = sameTurnDecider(guardian, policies);
  const failsOpen = (ids: readonly string[]): boolean => ids.every((id) => guardian.policies.policies.get(id)?.fail === "open");

  /** What a token binds for this request, or why its body cannot be bound (then no token is issued or redeemed). */
  const binding = async (src: Src, ctx: GuardContext): Promise<ConfirmBinding | UnboundBody> => {
    const digest = bodyDigest(await reader.body(src));
    if (typeof digest !== "string") return digest;
    return { method: reader.method(src), target: reader.url(src), bodyDigest: digest, client: ctx.client ?? "" };
  };

  const { proxySight, bodyUnseen } = reader;
  const watchProxies = proxySight === undefined ? undefined : proxyWatch(logger, proxySight);

  const redeemToken = async (ledger: RequestLedger, header: string, src: Src, ctx: GuardContext): Promise<void> => {
    const raw = header.trim();
    // A token is never taken for a body hexarch cannot see: the request is answered as unconfirmed.
    if (raw === "" || bodyUnseen?.(src) === true) return;
    if (raw.length > MAX_TOKEN_LENGTH) {
      ledger.tokenRejection = "malformed";
      return;
    }
    const bound = await binding(src, ctx);
    if ("status" in bound) return;
    const check = await tokens().redeem(raw, bound);
    if (check.ok) ledger.confirm(check.policies);
    else if (check.rejection === "unavailable" && failsOpen(check.policies)) {
      logger.warn({ policies: check.policies }, "hexarch: counter store down; confirmation accepted without single-use check (fail: open)");
      ledger.confirm(check.policies);
    } else ledger.tokenRejection = check.rejection;
  };

  const refusal = (
    ledger: RequestLedger,
    decision: Decision,
    issued: IssuedToken | undefined,
    unbound: UnboundBody | undefined,
    unread: string | undefined,
  ): Refusal => {
    if (unbound !== undefined) return answerFor(decision, { headers, confirm: { unbound }, problemTypeBase }) as Refusal;
    const rejected = ledger.tokenRejection;
    const confirm =
      issued === undefined && rejected === undefined && unread === undefined
        ? undefined
        : {
            ...(issued === undefined ? {} : { issued }),
            ...(rejected === undefined ? {} : { rejected }),
            ...(unread === undefined ? {} : { unread }),
          };
    return answerFor(decision, confirm === undefined ? plainAnswer : { headers, confirm, problemTypeBase }) as Refusal;
  };

  const conclude = (
    req: Req,
    src: Src,
    ledger: RequestLedger,
    decision: Decision,
    issued: IssuedToken | undefined,
    unbound?: UnboundBody,
    unread?: string,
  ): GuardAnswer => {
    const answer = decision.isAllowed() ? PROCEED : refusal(ledger, decision, issued, unbound, unread);
    ledger.record(decision, logger);
    onDecision?.(decision, req);
    logDecision(logger, decision, reader, src);
    return answer;
  };

  const withToken = async (
    req: Req,
    src: Src,
    ledger: RequestLedger,
    ctx: GuardContext,
    decision: Decision,
    policyId: string,
  ): Promise<GuardAnswer> => {
    if (bodyUnseen?.(src) === true) return conclude(req, src, ledger, decision, undefined, undefined, unreadBody(logger));
    const bound = await binding(src, ctx);
    if ("status" in bound) return conclude(req, src, ledger, decision, undefined, bound);
    const issued = tokens().issue(bound, [...new Set([...(ledger.confirmed ?? []), policyId])]);
    return conclude(req, src, ledger, decision, issued);
  };

  const settle = (req: Req, src: Src, ledger: RequestLedger, ctx: GuardContext, decision: Decision): Guarded => {
    if (decision.outcome === "confirm" && ledger.tokenRejection === "unavailable") {
      return conclude(req, src, ledger, unclaimable(decision), undefined);
    }
    return decision.outcome === "confirm" && appConfirm === undefined && decision.policyId !== undefined
      ? withToken(req, src, ledger, ctx, decision, decision.policyId)
      : conclude(req, src, ledger, decision, undefined);
  };

  const decideAndConclude = (req: Req, src: Src, ledger: RequestLedger, ctx: GuardContext): Guarded => {
    const decided: Decision | PromiseLike<Decision> = decide(ctx);
    if (decided instanceof Decision) return settle(req, src, ledger, ctx, decided);
    return Promise.resolve(decided).then((decision) => settle(req, src, ledger, ctx, decision));
  };

  return function guardRequest(req, src, ledger) {
    if (skip?.(req) === true) return undefined;
    watchProxies?.(src);
    const ctx = buildContext(req, src);
    if (appConfirm !== undefined) {
      return Promise.resolve(appConfirm(req)).then((confirmed) => {
        if (confirmed) ctx.confirm = true;
        return decideAndConclude(req, src, ledger, ctx);
      });
    }
    if (!ledger.tokenRead) {
      ledger.tokenRead = true;
      const header = reader.header(src, CONFIRM_HEADER_NAME);
      if (header !== undefined) {
        return redeemToken(ledger, header, src, ctx).then(() => {
          if (ledger.confirmed !== undefined) ctx.confirm = ledger.confirmed;
          return decideAndConclude(req, src, ledger, ctx);
        });
      }
    }
    if (ledger.confirmed !== undefined) ctx.confirm = ledger.confirmed;
    return decideAndConclude(req, src, ledger, ctx);
  };
}
