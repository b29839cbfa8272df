// The request flow every adapter runs: context, confirmation token, decision, answer, events, per-request handle.
import type { Decision } from "../../engine/decision.js";
import type { Guardian } from "../../engine/guardian.js";
import { SILENT_LOGGER, type Logger } from "../../engine/logger.js";
import { answerFor, type HttpAnswer } from "./answer.js";
import { bodyDigest } from "./body-digest.js";
import { configuredSecret, processConfirmSecret } from "./confirm-secret.js";
import { ConfirmTokens, MAX_TOKEN_LENGTH, type ConfirmBinding, type IssuedToken } from "./confirm-token.js";
import type { HttpGuardOptions } from "./options.js";
import { DEFAULT_HEADERS, NO_HEADERS, type HeaderSwitches } from "./rate-headers.js";
import { DEFAULT_PROBLEM_TYPE_BASE } from "./problem.js";
import { ledgerFor, type RequestHandle, type RequestLedger } from "./request-handle.js";
import { contextBuilder, type HttpRequestView } from "./request-view.js";

/** The result of guarding one request. Adapters copy `answer` out and expose `handle` to the app. */
export interface GuardedRequest {
  readonly decision: Decision;
  readonly answer: HttpAnswer;
  readonly handle: RequestHandle;
}

/** Guards one request; resolves undefined when the request is skipped. Never rejects for a refusal. */
export type HttpGuard<Req> = (req: Req, view: HttpRequestView) => Promise<GuardedRequest | undefined>;

/** What to guard with: the guardian, which policies (undefined = every policy, as `hexarch()`), and validated options. */
export interface HttpGuardConfig<Req> {
  readonly guardian: Guardian;
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

function tokenIssuer(config: HttpGuardConfig<never>, logger: Logger): () => ConfirmTokens {
  const secret = configuredSecret(config.options.secret, config.env ?? process.env);
  const ttlMs = (config.options.confirmTtl ?? 300) * 1000;
  let tokens: ConfirmTokens | undefined;
  return () => (tokens ??= new ConfirmTokens({ secret: secret ?? processConfirmSecret(logger), ttlMs, store: config.guardian.store, keyPrefix: CLAIM_PREFIX }));
}

function logDecision(logger: Logger, decision: Decision, view: HttpRequestView): void {
  if (decision.outcome === "allow") return;
  const entry = { hexarch: decision.toJSON(), method: view.method, url: view.url };
  if (decision.outcome === "error") logger.error(entry, `hexarch: ${decision.reason}`);
  else logger.warn(entry, `hexarch: ${decision.outcome}: ${decision.reason}`);
}

/**
 * Builds the request flow for one `hexarch()` or `guard()`, from options validated beforehand. Per request: build
 * the context; redeem a `Hexarch-Confirm` token once per request (or ask the app's `confirm`); decide; issue a
 * fresh token with a 428; build the answer; record the decision on the request's handle; emit `onDecision` and
 * log refusals and warnings.
 * @example
 * const run = createHttpGuard<Request>({ guardian, policies: ["safe_delete"], options: {} });
 * const guarded = await run(req, view);
 * if (guarded !== undefined && !guarded.answer.proceed) send(guarded.answer);
 */
export function createHttpGuard<Req extends object>(config: HttpGuardConfig<Req>): HttpGuard<Req> {
  const { guardian, policies, options } = config;
  const buildContext = contextBuilder(options);
  const headers = headerSwitches(options.headers);
  const logger = options.logger ?? SILENT_LOGGER;
  const { skip, onDecision, confirm: appConfirm } = options;
  const problemTypeBase = options.problemTypeBase ?? DEFAULT_PROBLEM_TYPE_BASE;
  const tokens = tokenIssuer(config as HttpGuardConfig<never>, logger);
  const decide = policies === undefined ? guardian.evaluate : (ctx: Parameters<Guardian["check"]>[1]) => guardian.check(policies, ctx);

  const redeemToken = async (ledger: RequestLedger, header: string, binding: () => Promise<ConfirmBinding>): Promise<void> => {
    const raw = header.trim();
    if (raw === "") return;
    if (raw.length > MAX_TOKEN_LENGTH) {
      ledger.tokenRejection = "malformed";
      return;
    }
    const check = await tokens().redeem(raw, await binding());
    if (check.ok) for (const id of check.policies) ledger.confirmed.add(id);
    else ledger.tokenRejection = check.rejection;
  };

  return async function guardRequest(req, view) {
    if (skip?.(req) === true) return undefined;
    const ledger = ledgerFor(req);
    const ctx = buildContext(req, view);
    let bound: ConfirmBinding | undefined;
    const binding = async (): Promise<ConfirmBinding> =>
      (bound ??= { method: view.method, target: view.url, bodyDigest: bodyDigest(await view.body()), client: ctx.client ?? "" });

    if (appConfirm !== undefined) {
      if (await appConfirm(req)) ctx.confirm = true;
    } else {
      if (!ledger.tokenRead) {
        ledger.tokenRead = true;
        const header = view.header(CONFIRM_HEADER_NAME);
        if (header !== undefined) await redeemToken(ledger, header, binding);
      }
      if (ledger.confirmed.size > 0) ctx.confirm = [...ledger.confirmed];
    }

    const decision = await decide(ctx);
    let issued: IssuedToken | undefined;
    if (decision.outcome === "confirm" && appConfirm === undefined && decision.policyId !== undefined) {
      issued = tokens().issue(await binding(), [...new Set([...ledger.confirmed, decision.policyId])]);
    }
    const rejected = ledger.tokenRejection;
    const confirmState = { ...(issued === undefined ? {} : { issued }), ...(rejected === undefined ? {} : { rejected }) };
    const answer = answerFor(decision, { headers, confirm: confirmState, problemTypeBase });
    ledger.record(decision, logger);
    onDecision?.(decision, req);
    logDecision(logger, decision, view);
    return { decision, answer, handle: ledger };
  };
}
