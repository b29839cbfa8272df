// The least a rate limiter sending hexarch's two header fields can do: one counter per client, two fields.
import { RateLimiterMemory } from "rate-limiter-flexible";

/** Anything with Node's `setHeader`. */
interface HeaderSink {
  setHeader(name: string, value: string): unknown;
}

/** Counts one request against a client and returns the client's count so far. */
export type Counter = (client: string) => number;

const LIMIT = 1_000_000_000;
const WINDOW_SECONDS = 60;
const POLICY_FIELD = `"rate_limit";q=${LIMIT};w=${WINDOW_SECONDS}`;

/** Counts in a Map: no window expiry, nothing cheaper. */
export function mapCounter(): Counter {
  const counts = new Map<string, number>();
  return (client) => {
    const used = (counts.get(client) ?? 0) + 1;
    counts.set(client, used);
    return used;
  };
}

/** The synchronous storage inside RateLimiterMemory (`_memoryStorage`), the one MemoryStore counts with. */
interface LimiterStorage {
  incrby(key: string, points: number, durationSeconds: number): { consumedPoints: number };
}

/**
 * Counts with rate-limiter-flexible's in-memory storage, windows expiring as in MemoryStore, through the same
 * synchronous path MemoryStore takes: the least a guard on the project's counter library can do per request.
 */
export function limiterCounter(): Counter {
  const storage = (new RateLimiterMemory({ points: LIMIT, duration: WINDOW_SECONDS }) as unknown as { _memoryStorage: LimiterStorage })
    ._memoryStorage;
  return (client) => storage.incrby(client, 1, WINDOW_SECONDS).consumedPoints;
}

/**
 * A diagnostic baseline for the HTTP benches: counts the request against its client (no policies) and writes
 * `RateLimit-Policy` and `RateLimit` as hexarch does, under the lower-case names Node stores without copying.
 * What a guard costs beyond this is the price of policies, decisions and, over the Map counter, a real counter store.
 * @example const count = mapCounter(); app.use((req, res, next) => { countAndTell(count, req.socket.remoteAddress, res); next(); });
 */
export function countAndTell(count: Counter, client: string | undefined, res: HeaderSink): void {
  const used = count(client ?? "");
  res.setHeader("ratelimit-policy", POLICY_FIELD);
  res.setHeader("ratelimit", `"rate_limit";r=${LIMIT - used};t=${WINDOW_SECONDS - (Math.floor(Date.now() / 1000) % WINDOW_SECONDS)}`);
}
