// RedisStore's options: what an app may pass, checked once and resolved with their defaults.
import { PolicyConfigError, type ConfigProblem } from "../../errors/config-error.js";
import { MemoryStore } from "../memory.js";
import type { CounterStore } from "../store.js";
import type { RedisClientLike } from "./connection.js";

/** Default longest wait for Redis per store call, in milliseconds. */
const DEFAULT_TIMEOUT_MS = 250;

/** Options for RedisStore; validated once, in the constructor. */
export interface RedisStoreOptions {
  /** The app's ioredis client: `new Redis(url)` or `new Redis.Cluster(nodes)`. Required. */
  readonly client: RedisClientLike;
  /**
   * Namespace of every key and its Redis Cluster hash tag: keys are `{prefix}:…`, so every key of one
   * decision sits in one slot. A trailing `:` is dropped. Default: `hexarch`.
   */
  readonly prefix?: string;
  /** Longest wait for Redis per store call, in milliseconds; then the call fails and each policy's fail mode applies. Default: 250. */
  readonly timeoutMs?: number;
  /**
   * Keeps counting in this process while Redis is unavailable: `true` for a MemoryStore, or a store of your own.
   * Limits then hold per process, not across processes. Default: false (store failures reach the fail mode).
   */
  readonly insurance?: boolean | CounterStore;
  /** Quit the client when the store is closed. Default: false (the app that made the client closes it). */
  readonly quitOnClose?: boolean;
  /**
   * Send the store's commands with ioredis auto-pipelining: when `client` does not have `enableAutoPipelining`
   * on, the store opens one connection of its own with it (`client.duplicate()`), which ends when `client` ends
   * or the store is closed. Default: true. `false` sends every command on `client` as it is.
   */
  readonly autoPipelining?: boolean;
  /**
   * Whose clock sliding windows and token buckets count on: `redis` (Redis `TIME`, one timeline for every process
   * whatever their clocks say) or `app` (the instant the engine states, i.e. the guardian's `clock`: for tests that
   * step time; processes must then agree on the time). Fixed windows always run on Redis key expiry. Default: `redis`.
   */
  readonly time?: "redis" | "app";
}

/** The options with their defaults, checked. */
export interface ResolvedOptions {
  readonly client: RedisClientLike;
  readonly tag: string;
  readonly timeoutMs: number;
  readonly insurance: CounterStore | undefined;
  readonly quitOnClose: boolean;
  readonly autoPipelining: boolean;
  readonly appTime: boolean;
}

function optionProblem(path: string, message: string, fix: string): ConfigProblem {
  return { file: "<options>", path: `RedisStore.${path}`, message, fix };
}

/** Checks every option, reporting all problems at once as a PolicyConfigError, and fills in the defaults. */
export function resolveOptions(options: RedisStoreOptions): ResolvedOptions {
  const problems: ConfigProblem[] = [];
  const {
    client,
    prefix = "hexarch",
    timeoutMs = DEFAULT_TIMEOUT_MS,
    insurance = false,
    quitOnClose = false,
    autoPipelining = true,
    time = "redis",
  } = options;
  if (typeof client !== "object" || client === null || typeof client.status !== "string" || typeof client.defineCommand !== "function") {
    problems.push(
      optionProblem("client", "is not an ioredis client", "pass new Redis(url) or new Redis.Cluster(nodes) from the ioredis package"),
    );
  }
  const tag = typeof prefix === "string" ? prefix.replace(/:+$/, "") : "";
  if (tag === "" || /[{}\s]/.test(tag)) {
    problems.push(
      optionProblem("prefix", `${JSON.stringify(prefix)} cannot be a key prefix`, 'use letters, digits and ":._-", e.g. "myapp:prod"'),
    );
  }
  if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    problems.push(
      optionProblem(
        "timeoutMs",
        `${String(timeoutMs)} is not a positive number of milliseconds`,
        `omit it for ${DEFAULT_TIMEOUT_MS}, or give e.g. 200`,
      ),
    );
  }
  const isStore =
    typeof insurance === "object" &&
    insurance !== null &&
    typeof insurance.consume === "function" &&
    typeof insurance.refund === "function";
  if (typeof insurance !== "boolean" && !isStore) {
    problems.push(
      optionProblem("insurance", "is neither a boolean nor a counter store", "use true for an in-memory fallback, or pass a CounterStore"),
    );
  }
  if (typeof autoPipelining !== "boolean") {
    problems.push(
      optionProblem(
        "autoPipelining",
        `${String(autoPipelining)} is not a boolean`,
        "omit it (true), or give false to send on your client as it is",
      ),
    );
  }
  if (time !== "redis" && time !== "app") {
    problems.push(
      optionProblem(
        "time",
        `${JSON.stringify(time)} is neither "redis" nor "app"`,
        'omit it (Redis TIME), or give "app" to count on the guardian\'s clock',
      ),
    );
  }
  if (problems.length > 0) throw new PolicyConfigError(problems, "RedisStore cannot be created");
  const insured = insurance === true ? new MemoryStore() : isStore ? insurance : undefined;
  return { client, tag, timeoutMs, insurance: insured, quitOnClose, autoPipelining, appTime: time === "app" };
}
