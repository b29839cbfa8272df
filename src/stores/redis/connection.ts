// What RedisStore needs from an ioredis client, and when that client may take a command without queueing it.

/**
 * The part of an ioredis `Redis` or `Cluster` client that RedisStore uses. Declared here so the package's
 * types do not depend on ioredis being installed; any ioredis 5 client fits.
 */
export interface RedisClientLike {
  /** Connection state; commands are only sent when it is `ready`. */
  readonly status: string;
  set(key: string, value: string, millisecondsToken: "PX", milliseconds: number, nx: "NX"): Promise<"OK" | null>;
  del(key: string): Promise<number>;
  defineCommand(name: string, definition: { lua: string; numberOfKeys?: number }): void;
  multi(): unknown;
  connect(): Promise<void>;
  once(event: "ready" | "close" | "end", listener: () => void): unknown;
  removeListener(event: "ready" | "close" | "end", listener: () => void): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
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
