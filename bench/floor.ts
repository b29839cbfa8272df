// The least a rate limiter sending hexarch's two header fields can do: one Map counter per client, two fields.

/** Anything with Node's `setHeader`. */
interface HeaderSink {
  setHeader(name: string, value: string): unknown;
}

const LIMIT = 1_000_000_000;
const WINDOW_SECONDS = 60;
const POLICY_FIELD = `"rate_limit";q=${LIMIT};w=${WINDOW_SECONDS}`;

/**
 * A diagnostic baseline for the HTTP benches: counts the request against its client in a Map (no window
 * expiry, no policies) and writes `RateLimit-Policy` and `RateLimit` as hexarch does, under the lower-case names
 * Node stores without copying. What a guard costs beyond this is the price of policies, decisions and a real
 * counter store.
 * @example app.use((req, res, next) => { countAndTell(counts, req.socket.remoteAddress, res); next(); });
 */
export function countAndTell(counts: Map<string, number>, client: string | undefined, res: HeaderSink): void {
  const key = client ?? "";
  const used = (counts.get(key) ?? 0) + 1;
  counts.set(key, used);
  res.setHeader("ratelimit-policy", POLICY_FIELD);
  res.setHeader("ratelimit", `"rate_limit";r=${LIMIT - used};t=${WINDOW_SECONDS - (Math.floor(Date.now() / 1000) % WINDOW_SECONDS)}`);
}
