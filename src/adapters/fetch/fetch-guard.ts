// The Fetch translation: a Web Request read through FetchRequestView; the answer a verdict with a refusal Response, or a
// handle and headers for the handler's Response. Shared by createFetchGuard() and Next's withHexarch().
import type { Decision } from "../../engine/decision.js";
import type { Guardian } from "../../guardian/create-guardian.js";
import {
  FIELD_NAMES,
  type AdapterOptions,
  type AdapterSpecOf,
  type AdapterTranslation,
  type HeaderWriter,
  type Refusal,
  type RefusedRequest,
  type RequestHandle,
} from "../core/index.js";
import type { ProxyTrust } from "../core/context-builder.js";
import { checkTrustProxy, forwardedClient, type TrustProxy } from "./forwarded-client.js";
import { FetchRequestView } from "./request-view.js";

/** What a custom refusal handler (`onDenied`) receives. */
export interface DeniedRequest extends RefusedRequest {
  readonly request: Request;
}

/** @deprecated The same type under the name every adapter uses: `DeniedRequest`. */
export type FetchDenied = DeniedRequest;

/**
 * Options of a Fetch guard (and of Next's `withHexarch`). `guardian` defaults to the process-wide guardian
 * (`processGuardian`); `onDenied` answers refused requests instead of the problem+json response.
 */
export interface FetchGuardOptions extends AdapterOptions<Request, DeniedRequest, Response> {
  /** Policy id(s) to apply. Default: every policy whose rules match the request (as `hexarch()` does). */
  readonly policy?: string | readonly string[];
  /** Whether X-Forwarded-For names the client: `true`, or the number of proxies in front of the app. Default: false. */
  readonly trustProxy?: TrustProxy;
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
export const FETCH_OPTION_SPEC = {
  policy: ["string", "array"],
  trustProxy: ["boolean", "number"],
  onDenied: ["function"],
} as const satisfies AdapterSpecOf<FetchGuardOptions>;

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

function proxyTrust(trustProxy: TrustProxy | undefined): ProxyTrust {
  return trustProxy === true ? "all" : trustProxy === undefined || trustProxy === false ? "none" : "some";
}

/** The Fetch translation but for its middleware: how a Web Request is answered. */
type FetchAnswers = Omit<AdapterTranslation<FetchGuardOptions, FetchRequestView, FetchVerdict, never>, "name" | "middleware">;

/**
 * How every Fetch-based adapter reads and answers: the view of a Web Request, verdicts, `trustProxy` checked once.
 * `watchProxies: false` leaves out the proxy warnings, for a runtime that adds X-Forwarded-For itself (Next.js).
 * @example defineAdapter({ ...fetchAnswers(true), name: "fetch", middleware: (guardRequest, setup) => ... })
 */
export function fetchAnswers(watchProxies: boolean): FetchAnswers & {
  /** Made once per guard: the view of each request, given the peer address the server saw. */
  viewsFor(options: FetchGuardOptions): (request: Request, peer?: string) => FetchRequestView;
} {
  return {
    spec: FETCH_OPTION_SPEC,
    fieldNames: FIELD_NAMES,
    checkOptions: (options, label) => checkTrustProxy(options.trustProxy, label),
    viewsFor({ trustProxy }) {
      const clientOf = forwardedClient(trustProxy);
      const trust = watchProxies ? proxyTrust(trustProxy) : undefined;
      return (request, peer) => new FetchRequestView(request, peer, clientOf, trust);
    },
    proceed: (view, decision, writeHeaders) => ({
      proceed: true,
      decision,
      handle: view.ledger,
      finish: decision === undefined ? unchanged : finisher(writeHeaders, decision),
    }),
    refuse(view, answer, onDenied) {
      const { decision } = answer;
      if (onDenied === undefined) return { proceed: false, decision, response: refusal(answer) };
      const handled = Promise.resolve(onDenied({ decision, answer, request: view.request }));
      return handled.then((response) => ({ proceed: false, decision, response }));
    },
  };
}
