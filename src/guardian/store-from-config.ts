// Picks RedisStore from HEXARCH_REDIS_URL or the policy file's `store:` section, loading ioredis only then.
import type { RedisOptions } from "ioredis";
import type { LoadedPolicyFile } from "../engine/config/load.js";
import { urlSchemeProblem } from "../engine/config/url-scheme.js";
import { PolicyConfigError, type ConfigProblem } from "../errors/config-error.js";
import { configWarning, type Logger } from "../errors/warnings.js";
import { loadOptionalPeer } from "../optional-peer.js";
import { RedisStore } from "../stores/redis.js";
import type { RedisClientLike } from "../stores/redis/connection.js";

/** The ioredis constructor, as far as this file uses it. */
type IoredisConstructor = new (
  url: string,
  options: RedisOptions,
) => RedisClientLike & {
  on(event: "error", listener: (error: Error) => void): unknown;
};

/** Where the store settings come from, for environment lookups, module resolution and connection warnings. */
export interface StoreSource {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Folder ioredis is resolved from (the app's). */
  readonly cwd: string;
  readonly logger: Logger;
}

/** The Redis URL the configuration names: `HEXARCH_REDIS_URL`, else the file's `store.redis_url`. */
function redisUrl(loaded: LoadedPolicyFile, env: StoreSource["env"]): string | undefined {
  const fromEnv = env["HEXARCH_REDIS_URL"];
  return fromEnv !== undefined && fromEnv !== "" ? fromEnv : loaded.spec.store?.redis_url;
}

/**
 * What start-up refuses in the store the configuration names, without connecting: a URL that is not a Redis one, or
 * no ioredis installed. `hexarch validate` reports the same problems, in the same words.
 * @example storeStartupProblems(loaded, { env: process.env, cwd: process.cwd() }) // [] when start-up would go on
 */
export function storeStartupProblems(loaded: LoadedPolicyFile, source: Pick<StoreSource, "env" | "cwd">): ConfigProblem[] {
  const url = redisUrl(loaded, source.env);
  if (url === undefined) return [];
  const place: Omit<ConfigProblem, "message"> =
    url === source.env["HEXARCH_REDIS_URL"]
      ? { file: "<environment>", path: "HEXARCH_REDIS_URL" }
      : { file: loaded.file, ...loaded.locate(["store", "redis_url"]), path: "store.redis_url" };
  const urlProblem = urlSchemeProblem(url, ["redis", "rediss"]);
  if (urlProblem !== undefined)
    return [{ ...place, message: urlProblem, fix: "use redis://host:6379, rediss://user:password@host:6380/0 or similar" }];
  if (loadOptionalPeer("ioredis", source.cwd) === undefined)
    return [{ ...place, message: "a Redis store is configured but the ioredis package is not installed", fix: "npm install ioredis" }];
  return [];
}

/**
 * The RedisStore the configuration asks for, or undefined when it names no Redis. `HEXARCH_REDIS_URL` wins
 * over the file's `store.redis_url`; `store.prefix` and `store.timeout_ms` apply either way. The store owns
 * the client it creates and quits it on `guardian.close()`. Throws PolicyConfigError for a bad URL or a
 * missing ioredis. The client connects when the first counter is needed, and batches the commands of one
 * event-loop turn into one write (ioredis auto-pipelining).
 * @example
 * const store = storeFromConfig(loaded, { env: process.env, cwd: process.cwd(), logger }) ?? new MemoryStore();
 */
export function storeFromConfig(loaded: LoadedPolicyFile, source: StoreSource): RedisStore | undefined {
  const section = loaded.spec.store;
  const url = redisUrl(loaded, source.env);
  if (url === undefined) return undefined;
  const problem = storeStartupProblems(loaded, source)[0];
  if (problem !== undefined) throw new PolicyConfigError([problem]);
  const Redis = loadOptionalPeer<IoredisConstructor>("ioredis", source.cwd) as IoredisConstructor;
  const client = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, enableAutoPipelining: true });
  client.on("error", (error) => configWarning(source.logger, "HEXARCH_REDIS_CONNECTION", `Redis connection problem: ${error.message}`));
  return new RedisStore({
    client,
    quitOnClose: true,
    ...(section?.prefix === undefined ? {} : { prefix: section.prefix }),
    ...(section?.timeout_ms === undefined ? {} : { timeoutMs: section.timeout_ms }),
  });
}
