// Calls Next route handlers the way Next does (a Web Request and a context with params), and catches set-up errors.
import { PolicyConfigError } from "../../../src/errors/config-error.js";

export { guardianFor, perMinute, QUICK_START, SECRET } from "../express/app.js";

/** A route handler as `withHexarch` returns it. */
export type Route = (request: Request, context: { params: Promise<Record<string, string>> }) => Response | Promise<Response>;

/** Sends one request to a route handler; `json` becomes a JSON body. */
export function call(
  route: Route,
  path: string,
  init: RequestInit & { readonly json?: unknown; readonly params?: Record<string, string> } = {},
): Promise<Response> {
  const { json, params, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set("content-type", "application/json");
  const request = new Request(`http://localhost${path}`, {
    ...rest,
    headers,
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
  return Promise.resolve(route(request, { params: Promise.resolve(params ?? {}) }));
}

/** The statuses of requests sent one after the other. */
export async function statusesOf(route: Route, requests: readonly (RequestInit & { readonly path?: string })[]): Promise<number[]> {
  const statuses: number[] = [];
  for (const { path, ...init } of requests) statuses.push((await call(route, path ?? "/items", init)).status);
  return statuses;
}

/** A handler answering `{ ok: true }` that counts its runs. */
export function countingHandler(): { handler: () => Response; runs: () => number } {
  let runs = 0;
  return {
    handler: () => {
      runs++;
      return Response.json({ ok: true });
    },
    runs: () => runs,
  };
}

/** What `build` throws; fails the test when it throws nothing. */
export function thrownBy(build: () => unknown): unknown {
  try {
    build();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

/** The PolicyConfigError `build` throws; fails the test on any other outcome. */
export function configErrorOf(build: () => unknown): PolicyConfigError {
  const error = thrownBy(build);
  if (error instanceof PolicyConfigError) return error;
  throw error;
}
