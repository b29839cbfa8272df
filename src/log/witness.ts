// The witness: every signed chain head also sent to a second place the log's writer cannot rewrite, off the decision path.
import { SILENT_LOGGER, type Logger } from "../errors/warnings.js";
import type { Checkpoint } from "./chain.js";

/** Stable code of the warning given once per witness outage. */
export const WITNESS_UNAVAILABLE = "HEXARCH_WITNESS_UNAVAILABLE";

/** Longest wait for one witness write (and for the last one at close), in milliseconds. */
export const WITNESS_TIMEOUT_MS = 2000;

/** Wait before sending queued heads again after a failure, in milliseconds. */
const WITNESS_RETRY_MS = 1000;

/** A place that keeps the latest signed head of every chain of a log, per log name. */
export interface WitnessStore {
  /** For messages, without credentials: `redis redis://cache:6379`. */
  readonly name: string;
  /** Keeps `head` (its signed JSON text is `line`) as chain `head.chain`'s head in log `log`, unless it holds a later one. */
  put(log: string, head: Checkpoint, line: string): Promise<void>;
  /** The latest head the witness holds for each chain of log `log`, as signed JSON lines. */
  heads(log: string): Promise<{ where: string; text: string }[]>;
  close(): Promise<void>;
}

/** `promise`, or a rejection once `ms` have passed. */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * Sends each chain head to a witness without ever holding up a decision: `send()` only queues. The queue keeps one
 * head per chain, the latest (it vouches for every record before it), so it stays bounded however long the witness
 * is down; a failed write warns once per outage and is tried again every second. `hexarch log verify --witness`
 * shows what the witness missed meanwhile: the log's checkpoints go further than the witness's head.
 * @example const witness = new Witness(store, "file:/app/.hexarch/guardrails.log", logger); witness.send(chain.checkpoint(Date.now()));
 */
export class Witness {
  readonly #store: WitnessStore;
  readonly #log: string;
  readonly #logger: Logger;
  readonly #pending = new Map<string, Checkpoint>();
  #sending: Promise<boolean> | undefined;
  #retry: NodeJS.Timeout | undefined;
  #failing: Error | undefined;
  #closed = false;

  constructor(store: WitnessStore, log: string, logger: Logger) {
    this.#store = store;
    this.#log = log;
    this.#logger = logger;
  }

  /** Heads waiting to be sent (one per chain at most). */
  get waiting(): number {
    return this.#pending.size;
  }

  /** Queues `head` for the witness (replacing an older unsent head of its chain) and starts sending unless a send is due. */
  send(head: Checkpoint): void {
    const queued = this.#pending.get(head.chain);
    if (queued !== undefined && queued.seq >= head.seq) return;
    this.#pending.set(head.chain, head);
    if (this.#retry === undefined && !this.#closed) this.#drain();
  }

  #drain(): void {
    this.#sending ??= this.#sendAll().finally(() => {
      this.#sending = undefined;
    });
  }

  /** Sends every queued head; true when none failed. */
  async #sendAll(): Promise<boolean> {
    for (const [chain, head] of [...this.#pending]) {
      try {
        await withDeadline(this.#store.put(this.#log, head, JSON.stringify(head)), WITNESS_TIMEOUT_MS, `the witness ${this.#store.name}`);
      } catch (error) {
        this.#failed(error instanceof Error ? error : new Error(String(error)));
        return false;
      }
      if (this.#pending.get(chain) === head) this.#pending.delete(chain);
    }
    if (this.#failing !== undefined) {
      this.#logger.info({ code: WITNESS_UNAVAILABLE, witness: this.#store.name }, "hexarch: log witness reachable again");
      this.#failing = undefined;
    }
    return true;
  }

  #failed(error: Error): void {
    if (this.#failing === undefined) {
      const message = `log witness ${this.#store.name} cannot be written (${error.message}); decisions go on, the latest head waits to be sent`;
      this.#logger.warn({ code: WITNESS_UNAVAILABLE, err: error }, `hexarch: ${message}`);
      if (this.#logger === SILENT_LOGGER) process.emitWarning(message, { code: WITNESS_UNAVAILABLE, type: "HexarchWarning" });
    }
    this.#failing = error;
    if (this.#closed) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (this.#pending.size > 0) this.#drain();
    }, WITNESS_RETRY_MS);
    this.#retry.unref();
  }

  /** Sends what is queued (one try, at most WITNESS_TIMEOUT_MS), then releases the store. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    this.#retry = undefined;
    await this.#sending;
    if (this.#pending.size > 0) await this.#sendAll();
    await withDeadline(this.#store.close(), WITNESS_TIMEOUT_MS, `the witness ${this.#store.name}`).catch(() => undefined);
  }
}
