// The Lua scripts of the counters on Redis (fixed window, sliding window, bucket): one atomic call per counter, as in memory.
import { COUNTER_CEILING, type CounterReading } from "../store.js";
import type { RedisClientLike } from "./connection.js";

/**
 * The instant a script counts at: the app's (`ARGV` not empty, RedisStore `time: "app"`) or Redis `TIME` in whole
 * milliseconds (the default), so processes with skewed clocks still share one timeline.
 */
const CLOCK = `local function clock(stated)
  if stated ~= '' then return tonumber(stated) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function fmt(n) return string.format('%.17g', n) end
`;

/**
 * How long a key outlives what it holds when the app states the time: its instants need not be Redis's, so the key
 * is kept a minute longer than its window before Redis drops it.
 */
export const APP_TIME_SLACK_MS = 60_000;

/**
 * `sliding_window`: KEYS[1] is a list of the instants of admitted calls, oldest first. ARGV: points, window ms, limit,
 * stated now (or ''), TTL slack. Drops the calls that left the window, then admits `points` calls at now when they fit.
 * Answers `{used, ms until the newest leaves, ms until the op would fit or '' when admitted, mark or ''}`, times as
 * text (Lua numbers would reach the client truncated). `points = 0` reads without admitting.
 */
export const SLIDING_TAKE = `${CLOCK}
local points, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local now = clock(ARGV[4])
while true do
  local oldest = redis.call('lindex', KEYS[1], 0)
  if not oldest or tonumber(oldest) + window > now then break end
  redis.call('lpop', KEYS[1])
end
local held = redis.call('llen', KEYS[1])
local reset = 0
if held > 0 then reset = tonumber(redis.call('lindex', KEYS[1], -1)) + window - now end
if held + points > limit then
  local retry = '-1'
  if points <= limit then retry = fmt(tonumber(redis.call('lindex', KEYS[1], held + points - limit - 1)) + window - now) end
  return {held + points, fmt(reset), retry, ''}
end
if points == 0 then return {held, fmt(reset), '', ''} end
local stamp = fmt(now)
for i = 1, points do redis.call('rpush', KEYS[1], stamp) end
redis.call('pexpire', KEYS[1], math.ceil(window + tonumber(ARGV[5])))
return {held + points, fmt(window), '', stamp}`;

/**
 * `token_bucket` (GCRA, as src/stores/admitting/gcra.ts): KEYS[1] holds `tat seq near` (missing: a full bucket).
 * ARGV: points, window ms, limit, burst, stated now (or ''), TTL slack. One token refills every window / limit ms;
 * `points` are taken when the bucket holds them. Answers as SLIDING_TAKE does, `used` being the whole tokens missing
 * from the bucket and the mark the take's number.
 */
export const BUCKET_TAKE = `${CLOCK}
local points, window, limit, burst = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local now = clock(ARGV[5])
local interval = window / limit
local function out(tat)
  if tat <= now then return 0 end
  return math.ceil((tat - now) / interval - 1e-9)
end
local tat, seq, near
local stored = redis.call('get', KEYS[1])
if stored then
  local a, b, c = string.match(stored, '^(%S+) (%S+) (%S+)$')
  tat, seq, near = tonumber(a), tonumber(b), tonumber(c)
end
local base = now
if tat and tat >= now then base = tat end
local nxt = base + points * interval
if nxt - now > burst * interval then
  local retry = '-1'
  if points <= burst then retry = fmt(nxt - burst * interval - now) end
  return {out(base) + points, fmt(base - now), retry, ''}
end
if points == 0 then return {out(base), fmt(base - now), '', ''} end
if seq then seq = seq + 1 else seq = math.floor(now) * 1000 end
if not near or base - now < interval then near = seq end
redis.call('set', KEYS[1], fmt(nxt) .. ' ' .. fmt(seq) .. ' ' .. fmt(near), 'px', math.ceil(nxt - now + tonumber(ARGV[6])))
return {math.min(out(nxt), burst), fmt(nxt - now), '', fmt(seq)}`;

/**
 * Gives back the tokens of one take: KEYS[1] the bucket, ARGV: points, window ms, limit, the take's number. Exact
 * unless a later take found the bucket nearly full; then the bucket is left as it is (see gcra.ts).
 */
export const BUCKET_GIVE_BACK = `local stored = redis.call('get', KEYS[1])
if not stored then return 0 end
local a, b, c = string.match(stored, '^(%S+) (%S+) (%S+)$')
local mark = tonumber(ARGV[4])
if tonumber(c) > mark or mark > tonumber(b) then return 0 end
local tat = tonumber(a) - tonumber(ARGV[1]) * (tonumber(ARGV[2]) / tonumber(ARGV[3]))
redis.call('set', KEYS[1], string.format('%.17g', tat) .. ' ' .. b .. ' ' .. c, 'keepttl')
return 1`;

/**
 * Gives back the calls of one refused call: KEYS[1] the log, ARGV: points, the mark its take answered. Removes that
 * many instants equal to the mark, newest first; exact, whatever was admitted since.
 */
export const SLIDING_GIVE_BACK = `return redis.call('lrem', KEYS[1], -tonumber(ARGV[1]), string.format('%.17g', tonumber(ARGV[2])))`;

/** A script's answer: used, ms to reset, ms to retry ('' when admitted, '-1' never), mark ('' when refused). */
export type TakeReply = [number, string, string, string];

/**
 * A take script's answer placed on the engine's clock: `now` is the instant the engine counted at.
 * @example readingOf([3, "60000", "", "1733216000123"], 1000) // { used: 3, resetAt: 61000, mark: 1733216000123 }
 */
export function readingOf(reply: TakeReply, now: number): CounterReading {
  const [used, resetIn, retryIn, mark] = reply;
  const resetAt = now + Number(resetIn);
  if (retryIn !== "") return { used, resetAt, retryAt: retryIn === "-1" ? Number.POSITIVE_INFINITY : now + Number(retryIn) };
  return mark === "" ? { used, resetAt } : { used, resetAt, mark: Number(mark) };
}

/**
 * rate-limiter-flexible's counting script (`customIncrTtlLuaScript`), one Redis call leaner: INCRBY creates a
 * missing counter, and the expiry is set when PTTL finds none, instead of a `SET … NX EX` before every increment.
 * Same answer, `{points after, ms to expiry}`; about a fifth less Redis CPU per call. A counter taken past
 * COUNTER_CEILING is left at it (SET … KEEPTTL, Redis 6+), so every reading stays exact in Lua and in JavaScript.
 */
export const COUNT_SCRIPT = `local used = redis.call('incrby', KEYS[1], ARGV[1])
if used > ${COUNTER_CEILING} then
  redis.call('set', KEYS[1], '${COUNTER_CEILING}', 'KEEPTTL')
  used = ${COUNTER_CEILING}
end
local ttl = redis.call('pttl', KEYS[1])
if ttl == -1 then
  redis.call('expire', KEYS[1], ARGV[2])
  ttl = 1000 * ARGV[2]
end
return {used, ttl}`;

/** The store's scripts, defined on its connection with `defineCommand` (EVALSHA, loaded on first use). */
export interface ScriptedClient {
  hexarchSlidingTake(key: string, points: number, windowMs: number, limit: number, now: string, slackMs: number): Promise<TakeReply>;
  hexarchBucketTake(
    key: string,
    points: number,
    windowMs: number,
    limit: number,
    burst: number,
    now: string,
    slackMs: number,
  ): Promise<TakeReply>;
  hexarchSlidingGiveBack(key: string, points: number, mark: number): Promise<number>;
  hexarchBucketGiveBack(key: string, points: number, windowMs: number, limit: number, mark: number): Promise<number>;
  hexarchSwapText(key: string, expects: "0" | "1", expected: string, next: string, ttlMs: string): Promise<number>;
}

/** Defines the scripts on `client`; the same client, typed with them. */
export function defineScripts(client: RedisClientLike): ScriptedClient {
  client.defineCommand("hexarchSlidingTake", { numberOfKeys: 1, lua: SLIDING_TAKE });
  client.defineCommand("hexarchBucketTake", { numberOfKeys: 1, lua: BUCKET_TAKE });
  client.defineCommand("hexarchSlidingGiveBack", { numberOfKeys: 1, lua: SLIDING_GIVE_BACK });
  client.defineCommand("hexarchBucketGiveBack", { numberOfKeys: 1, lua: BUCKET_GIVE_BACK });
  client.defineCommand("hexarchSwapText", { numberOfKeys: 1, lua: SWAP_TEXT });
  return client as unknown as ScriptedClient;
}

/**
 * Compare-and-set of a kept text. KEYS[1] the key; ARGV: 1 when a text is expected (0: only while there is none), the
 * expected text, the new text, its lifetime in ms. Returns 1 when it replaced, else 0.
 */
export const SWAP_TEXT = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current ~= ARGV[2] then return 0 end
elseif current then
  return 0
end
redis.call('SET', KEYS[1], ARGV[3], 'PX', tonumber(ARGV[4]))
return 1
`;
