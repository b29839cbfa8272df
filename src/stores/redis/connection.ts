// What RedisStore needs from an ioredis client, and when that client may take a command without queueing it.

/**
 * The part of an ioredis `Redis` or `Cluster` client that RedisStore uses. Declared here so the package's
 * types do not depend on ioredis being installed; any ioredis 5 client fits.
 */
export interface RedisClientLike {
  /** Connection state; commands are only sent when it is `ready`. */
  readonly status: string;
  set(key: string, value: string, millisecondsToken: "PX", milliseconds: number, nx: "NX"): Promise<"OK" | null>;
  set(key: string, value: string, millisecondsToken: "PX", milliseconds: number): Promise<"OK" | null>;
  get(key: string): Promise<string | null>;
  del(...keys: string[]): Promise<number>;
  defineCommand(name: string, definition: { lua: string; numberOfKeys?: number }): void;
  multi(): unknown;
  connect(): Promise<void>;
  once(event: "ready" | "close" | "end", listener: () => void): unknown;
  removeListener(event: "ready" | "close" | "end", listener: () => void): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
  /** ioredis options; RedisStore reads `enableAutoPipelining`. */
  readonly options?: { readonly enableAutoPipelining?: boolean | undefined };
  /** True for a Redis Cluster client. */
  readonly isCluster?: boolean;
  /** A new client with the same options, and these on top; a Cluster takes its startup nodes first. */
  duplicate?(...args: readonly unknown[]): RedisClientLike;
  on?(event: "error", listener: (error: Error) => void): unknown;
  /** `SCAN cursor MATCH pattern COUNT n`, for resetting every counter of a policy. */
  scan?(cursor: string, match: "MATCH", pattern: string, count: "COUNT", n: number): Promise<[string, string[]]>;
  /** A Cluster's nodes of one role, for scanning each master. */
  nodes?(role: "master"): RedisClientLike[];
}

/** The connection RedisStore sends its commands on, and whether the store made it (and so must close it). */
export interface StoreConnection {
  readonly client: RedisClientLike;
  readonly owned: boolean;
  /** Stops ending the store's own connection with the app's client (the store closes it itself). */
  unfollow(): void;
}

const PIPELINED = { enableAutoPipelining: true, lazyConnect: true } as const;

/**
 * The app's client when it already auto-pipelines (or `autoPipelining` is false), else a duplicate of it with
 * ioredis auto-pipelining on: the commands of every request in one event-loop turn then go to Redis in one write,
 * which costs Redis and Node far less than one write per request. The duplicate connects on first use, reports
 * connection errors through the store's calls (not as unhandled `error` events), and ends when the app's client
 * ends, so an app that quits its client can exit.
 * @example const { client, owned } = storeConnection(appClient, true);
 */
export function storeConnection(app: RedisClientLike, autoPipelining: boolean): StoreConnection {
  if (!autoPipelining || app.options?.enableAutoPipelining === true || typeof app.duplicate !== "function") {
    return { client: app, owned: false, unfollow: () => undefined };
  }
  const own = app.isCluster === true ? app.duplicate([], PIPELINED) : app.duplicate(PIPELINED);
  own.on?.("error", () => undefined);
  const follow = (): void => own.disconnect();
  app.once("end", follow);
  return { client: own, owned: true, unfollow: () => void app.removeListener("end", follow) };
}

/** Statuses of a client that has not finished its first connection attempt yet. */
const STARTING = new Set(["wait", "connecting", "connect"]);

/**
 * Tells whether a client can take a command now. A client that was never connected is connected on first use
 * (a `lazyConnect` client opens no socket until a counter is needed), and callers may wait for that first
 * connection. After it succeeded or failed, nobody waits: a client that is not ready means Redis is
 * unavailable, so no command piles up in ioredis' offline queue.
 */
export class Readiness {
  readonly #client: RedisClientLike;
  readonly #unavailable: (status: string) => Error;
  #firstConnection: Promise<void> | undefined;
  #started = false;

  /** `unavailable` builds the error for a client that cannot take commands, from its status. */
  constructor(client: RedisClientLike, unavailable: (status: string) => Error) {
    this.#client = client;
    this.#unavailable = unavailable;
  }

  /**
   * `undefined` when a command can go now, a promise while the first connection is being made;
   * throws the `unavailable` error otherwise.
   */
  check(): Promise<void> | undefined {
    const { status } = this.#client;
    if (status === "ready") {
      this.#started = true;
      return undefined;
    }
    if (this.#firstConnection !== undefined) return this.#firstConnection;
    if (this.#started || !STARTING.has(status)) throw this.#unavailable(status);
    this.#started = true;
    this.#firstConnection = this.#awaitFirstConnection();
    if (status === "wait") this.#client.connect().catch(() => undefined);
    return this.#firstConnection;
  }

  #awaitFirstConnection(): Promise<void> {
    const client = this.#client;
    const attempt = new Promise<void>((resolve, reject) => {
      const done = (): void => {
        client.removeListener("ready", onReady);
        client.removeListener("close", onFailure);
        client.removeListener("end", onFailure);
        this.#firstConnection = undefined;
      };
      const onReady = (): void => {
        done();
        resolve();
      };
      const onFailure = (): void => {
        done();
        reject(this.#unavailable(client.status));
      };
      client.once("ready", onReady);
      client.once("close", onFailure);
      client.once("end", onFailure);
    });
    attempt.catch(() => undefined);
    return attempt;
  }
}
