// The headers every answer of the decision server carries (security headers, no caching, a request id), fixed once at start.
import { randomUUID } from "node:crypto";
import type { HttpBindings } from "@hono/node-server";
import type { MiddlewareHandler } from "hono";
import type { ServerEnv } from "./server-deps.js";

/** Longest request id taken from a caller's `X-Request-Id`; a longer one is replaced. */
const MOST_REQUEST_ID_LENGTH = 128;
/** A character a caller's request id may not hold (ids are word characters, `-` and `=`). */
const NOT_ID_CHARACTER = /[^\w\-=]/;

/**
 * The security headers of an API that serves no pages: no scripts, frames or sniffing, no referrer, the
 * `hono/secure-headers` defaults with a `default-src 'none'` policy and no Strict-Transport-Security (TLS ends in front
 * of the server, which decides HSTS). Then `Cache-Control: no-store`: a decision is never reused.
 */
export const STANDARD_HEADERS: readonly (readonly [string, string])[] = [
  ["Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"],
  ["Cross-Origin-Opener-Policy", "same-origin"],
  ["Cross-Origin-Resource-Policy", "same-origin"],
  ["Origin-Agent-Cluster", "?1"],
  ["Referrer-Policy", "no-referrer"],
  ["X-Content-Type-Options", "nosniff"],
  ["X-DNS-Prefetch-Control", "off"],
  ["X-Download-Options", "noopen"],
  ["X-Frame-Options", "SAMEORIGIN"],
  ["X-Permitted-Cross-Domain-Policies", "none"],
  ["X-XSS-Protection", "0"],
  ["Cache-Control", "no-store"],
];

/** The caller's request id when it is short and plain, else a fresh UUID. */
function requestIdOf(given: string | undefined): string {
  return given === undefined || given === "" || given.length > MOST_REQUEST_ID_LENGTH || NOT_ID_CHARACTER.test(given)
    ? randomUUID()
    : given;
}

/**
 * Sets STANDARD_HEADERS and `X-Request-Id` on every answer, and the id as `c.get("requestId")` for problem bodies and
 * logs. Under `@hono/node-server` they go straight onto node's response, before any route runs, so they reach every
 * answer (errors and 404s too) without hono rebuilding a response to add them (which turned each answer into a stream
 * and cost a timer tick); elsewhere they are hono's prepared headers.
 * @example app.use(standardHeaders());
 */
export const standardHeaders = (): MiddlewareHandler<ServerEnv> =>
  function standardHeaders(c, next) {
    const id = requestIdOf(c.req.header("x-request-id"));
    c.set("requestId", id);
    const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
    if (outgoing === undefined) {
      for (const [name, value] of STANDARD_HEADERS) c.header(name, value);
      c.header("X-Request-Id", id);
    } else {
      for (const [name, value] of STANDARD_HEADERS) outgoing.setHeader(name, value);
      outgoing.setHeader("X-Request-Id", id);
    }
    return next();
  };
