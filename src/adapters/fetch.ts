// Fetch adapter: guards Web `Request`s for any Fetch-based server (Bun, Deno and the like); the Next.js adapter builds on it.
import { defineAdapter, type GuardianChoice } from "./core/index.js";
import { fetchAnswers, type FetchGuard, type FetchGuardOptions, type FetchVerdict } from "./fetch/fetch-guard.js";
import type { FetchRequestView } from "./fetch/request-view.js";

/** Options of `createFetchGuard()`: guard options plus, when no `guardian` is given, the options to create one. */
export type FetchHexarchOptions = FetchGuardOptions & GuardianChoice;

const answers = fetchAnswers(true);

const fetchAdapter = defineAdapter<FetchGuardOptions, FetchRequestView, FetchVerdict, FetchGuard>({
  ...answers,
  name: "fetch",
  // The app's own routing is out of sight: route scopes compare without case unless the app says it routes with case.
  defaults: { caseSensitive: false },
  middleware(guardRequest, { guardian, options }) {
    const viewOf = answers.viewsFor(options);
    const checkNow = (request: Request, peerAddress?: string): FetchVerdict | Promise<FetchVerdict> =>
      guardRequest(viewOf(request, peerAddress));
    return {
      guardian,
      checkNow,
      async check(request, peerAddress) {
        return checkNow(request, peerAddress);
      },
    };
  },
});

/**
 * Creates a guard for Web `Request`s. Loads and validates the policy file now: a broken file, an unknown policy id
 * or a bad option throws PolicyConfigError here, never per request. Without `guardian` or guardian options, guards
 * share the process-wide guardian (`processGuardian`); a guard set up while it is empty fills it. `check()` never
 * runs the handler for you: send `response` when `proceed` is false, else run the handler and pass its response
 * through `finish()`.
 * @example
 * const guard = createFetchGuard({ policy: "safe_delete" });
 * Bun.serve({
 *   async fetch(request, server) {
 *     const verdict = await guard.check(request, server.requestIP(request)?.address);
 *     if (!verdict.proceed) return verdict.response;
 *     return verdict.finish(await deleteUser(request, verdict.handle));
 *   },
 * });
 */
export function createFetchGuard(options?: FetchHexarchOptions): FetchGuard {
  return fetchAdapter.setUp(options, "createFetchGuard()");
}

export type { DeniedRequest, FetchDenied, FetchGuard, FetchGuardOptions, FetchVerdict } from "./fetch/fetch-guard.js";
export type { TrustProxy } from "./fetch/forwarded-client.js";
export type { OnDenied, RequestHandle } from "./core/index.js";
