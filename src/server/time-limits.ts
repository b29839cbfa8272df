// How long a client may take to send a request to the decision server: checked once at start, enforced by node's HTTP server.
import type { ServerOptions } from "node:http";

/** Default seconds for the request line and headers to arrive. */
export const DEFAULT_HEADERS_TIMEOUT = 10;
/** Default seconds for the whole request, body included, to arrive. */
export const DEFAULT_REQUEST_TIMEOUT = 30;
/** Largest accepted limit, in seconds: a limit is meant to be seconds, never an hour. */
export const MAX_TIMEOUT = 600;
/** Longest gap between two looks for requests past their limit. */
const MOST_CHECK_INTERVAL_MS = 1000;

/** The two limits, in seconds, as given to `startServer`. */
export interface TimeLimits {
  readonly headersTimeout?: number | undefined;
  readonly requestTimeout?: number | undefined;
}

/** What is wrong with a limit, or undefined when it is a number of seconds above 0 and at most MAX_TIMEOUT. */
function problemWith(name: string, seconds: number): string | undefined {
  if (Number.isFinite(seconds) && seconds > 0 && seconds <= MAX_TIMEOUT) return undefined;
  return `${name} is ${String(seconds)}: give seconds above 0 and at most ${MAX_TIMEOUT}`;
}

/**
 * Node's HTTP server options for the limits, or the reason they cannot be used. A request whose headers are not all in
 * within `headersTimeout`, or which is not whole within `requestTimeout` of its first byte, is answered
 * `408 Request Timeout` with `Connection: close` (unless an answer has begun) and its connection closed; node looks
 * for such requests every quarter of the headers limit, at least once a second.
 * @example connectionLimits({ headersTimeout: 10, requestTimeout: 30 }) // { headersTimeout: 10000, requestTimeout: 30000, … }
 */
export function connectionLimits(limits: TimeLimits): ServerOptions | string {
  const headers = limits.headersTimeout ?? DEFAULT_HEADERS_TIMEOUT;
  const request = limits.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT;
  const problem = problemWith("the headers timeout", headers) ?? problemWith("the request timeout", request);
  if (problem !== undefined) return problem;
  if (headers > request)
    return `the headers timeout (${headers} s) is longer than the request timeout (${request} s), which includes the headers: raise the request timeout`;
  const headersMs = Math.ceil(headers * 1000);
  return {
    headersTimeout: headersMs,
    requestTimeout: Math.ceil(request * 1000),
    connectionsCheckingInterval: Math.max(1, Math.min(MOST_CHECK_INTERVAL_MS, Math.floor(headersMs / 4))),
  };
}
