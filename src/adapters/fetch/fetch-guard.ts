// The Fetch request flow: a Web Request in, either a refusal Response or a handle and headers for the handler's Response.
import type { Decision } from "../../engine/decision.js";
import { PolicyConfigError } from "../../errors/config-error.js";
import type { Guardian } from "../../guardian/create-guardian.js";
import {
  createHttpGuard,
  FIELD_NAMES,
  headerWriter,
  ledgerFor,
  type GuardAnswer,
  type HeaderWriter,
  type HttpGuardOptions,
  type OnDenied,
  type Refusal,
  type RequestHandle,
  type RequestLedger,
} from "../core/index.js";
import { SILENT_LOGGER } from "../../errors/warnings.js";
import { proxyWatch, type ProxyTrust } from "../core/request-warnings.js";
import { forwardedClient, type TrustProxy } from "./forwarded-client.js";
import { FetchRequestView } from "./request-view.js";

/** What a custom refusal handler (`onDenied`) receives. */
export interface DeniedRequest {
  readonly decision: Decision;
  /** The answer hexarch would send: status, headers, problem body. */
  readonly answer: Refusal;
  readonly request: Request;
}

/** @deprecated The same type under the name every adapter uses: `DeniedRequest`. */
export type FetchDenied = DeniedRequest;

/** Options of a Fetch guard (and of Next's `withHexarch`). */
export interface FetchGuardOptions extends HttpGuardOptions<Request> {
  /** The guardian to use. Default: the adapter's process-wide one, created from the discovered policy file. */
  readonly guardian?: Guardian;
  /** Policy id(s) to apply. Default: every policy whose rules match the request (as `hexarch()` does). */
  readonly policy?: string | readonly string[];
  /** Whether X-Forwarded-For names the client: `true`, or the number of proxies in front of the app. Default: false. */
  readonly trustProxy?: TrustProxy;
  /** Answers refused requests instead of the problem+json response. Default: hexarch's answer. */
  readonly onDenied?: OnDenied<DeniedRequest, Response>;
}

/** The verdict on one request. */
export type FetchVerdict =
  | {
      readonly proceed: true;
      /** Undefined when the request was skipped. */
      readonly decision: Decision | undefined;
      /** This request's decisions and `charge(actualCost)`. */
      readonly handle: RequestHandle;
      /** Adds hexarch's headers (RateLimit, budget warning) to the handler's response; the handler's own headers win. */
      readonly finish: (response: Response) => Response;
    }
  | { readonly proceed: false; readonly decision: Decision; readonly response: Response };

/** A guard for Web `Request`s, with its guardian. */
export interface FetchGuard {
  readonly guardian: Guardian;
  /**
   * Decides one request. `peerAddress` is the socket address when the server knows it (Bun's `server.requestIP`,
   * Deno's `info.remoteAddr`); forwarding headers count only under `trustProxy`.
   */
  check(request: Request, peerAddress?: string): Promise<FetchVerdict>;
  /**
   * Like check(), but hands back the verdict itself when nothing had to wait (memory store, no confirmation token),
   * else a promise of it; throws where check() would reject. For wrappers that run on every request: a promise costs
   * more than the decision where the server tracks async context (Next.js).
   */
  checkNow(request: Request, peerAddress?: string): FetchVerdict | Promise<FetchVerdict>;
}

/** The option names only Fetch guards accept, with their kinds, for validation. */
export const FETCH_OPTION_SPEC = { policy: ["string", "array"], trustProxy: ["boolean", "number"], onDenied: ["function"] } as const;

/** Adds fields to a response's headers, leaving those the handler set alone. */
class HandlerHeadersFirst {
  readonly #headers: Headers;

  constructor(headers: Headers) {
    this.#headers = headers;
  }

  setHeader(name: string, value: string): void {
    if (!this.#headers.has(name)) this.#headers.set(name, value);
  }
}

function finisher(writeHeaders: HeaderWriter, decision: Decision): (response: Response) => Response {
  return (response) => {
    try {
      writeHeaders(new HandlerHeadersFirst(response.headers), decision);
      return response;
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      const copy = new Response(response.body, response);
      writeHeaders(new HandlerHeadersFirst(copy.headers), decision);
      return copy;
    }
  };
}

const unchanged = (response: Response): Response => response;

function refusal(answer: Refusal): Response {
  return new Response(JSON.stringify(answer.body), { status: answer.status, headers: answer.headers });
}

/**
 * Builds the guard for options validated beforehand, for one guardian and policy selection. `watchProxies: false`
 * leaves out the proxy warnings, for a runtime that adds X-Forwarded-For itself (Next.js), where the header says
 * nothing about a proxy.
 * @example
 * const guard = fetchGuard(guardian, ["safe_delete"], { trustProxy: 1 });
 * const verdict = await guard.check(request);
 * return verdict.proceed ? verdict.finish(await handle(request)) : verdict.response;
 */
export function fetchGuard(
  guardian: Guardian,
  policies: readonly string[] | undefined,
  options: FetchGuardOptions,
  watchProxies = true,
): FetchGuard {
  const run = createHttpGuard<Request>({ guardian, policies, options });
  const clientOf = forwardedClient(options.trustProxy);
  const writeHeaders = headerWriter(options.headers, FIELD_NAMES);
  const { onDenied, trustProxy } = options;
  const trust: ProxyTrust = trustProxy === true ? "all" : trustProxy === undefined || trustProxy === false ? "none" : "some";
  const watchForProxies = watchProxies
    ? proxyWatch<Headers>(options.logger ?? SILENT_LOGGER, (headers, peer) => ({
        trust,
        forwardedFor: headers.get("x-forwarded-for") ?? undefined,
        peer,
      }))
    : undefined;

  const verdictOf = (request: Request, handle: RequestLedger, answer: GuardAnswer | undefined): FetchVerdict | Promise<FetchVerdict> => {
    if (answer === undefined) return { proceed: true, decision: undefined, handle, finish: unchanged };
    const { decision } = answer;
    if (answer.proceed) return { proceed: true, decision, handle, finish: finisher(writeHeaders, decision) };
    if (onDenied === undefined) return { proceed: false, decision, response: refusal(answer) };
    return Promise.resolve(onDenied({ decision, answer, request })).then((response) => ({ proceed: false, decision, response }));
  };

  const checkNow = (request: Request, peerAddress?: string): FetchVerdict | Promise<FetchVerdict> => {
    const headers = request.headers;
    watchForProxies?.(headers, peerAddress);
    const ledger = ledgerFor(request);
    const answer = run(request, new FetchRequestView(request, headers, clientOf(headers, peerAddress)), ledger);
    return answer instanceof Promise ? answer.then((value) => verdictOf(request, ledger, value)) : verdictOf(request, ledger, answer);
  };

  return {
    guardian,
    checkNow,
    async check(request, peerAddress) {
      return checkNow(request, peerAddress);
    },
  };
}

/**
 * The policy ids a `policy` option selects (undefined = every policy), each checked against the guardian: an empty
 * list or an unknown id throws PolicyConfigError at construction.
 * @example selectedPolicies(guardian, "safe_delete", "withHexarch()") // ["safe_delete"]
 */
export function selectedPolicies(
  guardian: Guardian,
  policy: string | readonly string[] | undefined,
  label: string,
): readonly string[] | undefined {
  if (policy === undefined) return undefined;
  const ids = typeof policy === "string" ? [policy] : [...policy];
  if (ids.length === 0) {
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
  for (const id of ids) guardian.assertPolicy(id);
  return ids;
}
