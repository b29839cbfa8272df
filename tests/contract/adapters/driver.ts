// The per-adapter driver interface of the HTTP contract suite: build an app, send requests, read responses.
import type { Guardian } from "../../../src/guardian/create-guardian.js";
import type { HeaderSwitches } from "../../../src/adapters/core/index.js";

/** How the contract app applies policies: every policy (`hexarch()`), or `guard(ids)` on the route. */
export type ContractMount = { readonly kind: "hexarch" } | { readonly kind: "guard"; readonly policies: readonly string[] };

/** Plain-value options the driver passes to its `hexarch()`/`guard()` unchanged. */
export interface ContractOptions {
  readonly headers?: boolean | Partial<HeaderSwitches>;
  readonly resource?: string;
  /** A fixed estimate, or one computed per request (the contract's functions ignore the request). */
  readonly cost?: number | (() => number);
  readonly user?: string;
  readonly roles?: readonly string[];
}

/** What a driver builds: an app with one catch-all handler behind the mount. */
export interface ContractAppSpec {
  readonly guardian: Guardian;
  readonly mount: ContractMount;
  readonly options: ContractOptions & { readonly secret: string };
}

export interface ContractRequest {
  readonly method: "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as JSON; the app must parse JSON bodies before the guard. */
  readonly body?: unknown;
}

export interface ContractResponse {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: unknown;
}

/** A running contract app. */
export interface ContractApp {
  send(request: ContractRequest): Promise<ContractResponse>;
  close(): Promise<void>;
}

/**
 * One adapter under the contract. The app it builds must: parse JSON bodies; apply the mount with the options; answer
 * every method on every path with 200 `{ "ok": true }` from a handler that, when the request carries
 * `x-actual-cost: N`, first awaits the request handle's `charge(N)`.
 */
export interface AdapterDriver {
  readonly name: string;
  build(spec: ContractAppSpec): Promise<ContractApp>;
}
