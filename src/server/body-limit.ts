// The most bytes a request body may have, checked from Content-Length without touching the body.
import type { MiddlewareHandler } from "hono";
import { bodyLimit as countingBodyLimit } from "hono/body-limit";
import type { Ctx, ServerEnv } from "./server-deps.js";

/** What to limit and how to refuse. */
export interface BodyLimitOptions {
  readonly maxSize: number;
  readonly onError: (c: Ctx) => Response;
}

/**
 * Refuses a body over `maxSize` bytes with `onError`. A request with a Content-Length is judged by it (node's parser
 * never reads past it); one with neither Content-Length nor Transfer-Encoding has no body. Only a chunked body is
 * counted as it is read, by hono's own body limit: asking hono whether a body exists builds a full Fetch `Request`
 * (with its `AbortSignal`) for every request, GETs included, which cost `/health` most of its time.
 * @example app.use(bodyLimit({ maxSize: 1024 * 1024, onError: (c) => sendProblem(c, 413, "too large") }));
 */
export function bodyLimit(options: BodyLimitOptions): MiddlewareHandler<ServerEnv> {
  const { maxSize, onError } = options;
  const counting = countingBodyLimit({ maxSize, onError });
  return async function bodyLimit(c, next) {
    if (c.req.header("transfer-encoding") !== undefined) return counting(c, next);
    const length = c.req.header("content-length");
    if (length !== undefined && Number.parseInt(length, 10) > maxSize) return onError(c);
    await next();
  };
}
