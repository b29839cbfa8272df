// Everything the routes share: the policies, keys, store, log, ids, tokens and metrics of one server.
import type { Context } from "hono";
import type { Guardian } from "../guardian/create-guardian.js";
import type { Logger } from "../errors/warnings.js";
import type { DecisionLog } from "../log/decision-log.js";
import type { LogTarget } from "../log/settings.js";
import type { CounterStore } from "../stores/store.js";
import type { Caller, KeyAccess } from "./api-keys.js";
import type { Confirmations } from "./confirmations.js";
import type { ServerMetrics } from "./metrics.js";
import type { PolicyRuntime } from "./policy-runtime.js";
import type { DecisionIds } from "./reservation-id.js";
import type { ReservationBook } from "./reservations.js";

/** The routes' shared state; `keys.current` is replaced when the keys file changes. */
export interface ServerDeps {
  readonly runtime: PolicyRuntime;
  /** The keys in force, and whether a key is needed (once needed, always). */
  readonly keys: KeyAccess;
  /** The keys file, when key management over HTTP is on (`--manage-keys`); undefined leaves it off. */
  readonly manageKeys: string | undefined;
  readonly store: CounterStore;
  readonly log: DecisionLog | undefined;
  /** Where GET /v1/decisions reads the log from. */
  readonly logTarget: LogTarget | undefined;
  /** HEXARCH_LOG_KEY, to match redacted records. */
  readonly logKey: string | undefined;
  /** Ids of decisions that reserved nothing. */
  readonly ids: DecisionIds;
  /** Reservations held in the store under their decision's id. */
  readonly reservations: ReservationBook;
  readonly confirmations: Confirmations;
  readonly metrics: ServerMetrics;
  /** The server's own limit on its callers, per key; undefined when off. */
  readonly callerLimit: Guardian | undefined;
  /** Most bytes a request body may have. */
  readonly bodyLimit: number;
  /** The origin allowed to call from a browser; undefined sends no CORS headers. */
  readonly cors: string | undefined;
  readonly logger: Logger;
}

/** Hono's per-request variables. */
export interface ServerEnv {
  Variables: { caller: Caller; requestId: string };
}

/** A route's context. */
export type Ctx = Context<ServerEnv>;
