// Counters shared by every process through Redis, on rate-limiter-flexible's RateLimiterRedis; every call bounded in time.
import { RateLimiterRedis, type RateLimiterRes } from "rate-limiter-flexible";
import { Readiness, storeConnection, type RedisClientLike, type StoreConnection } from "./redis/connection.js";
import { Deadlines } from "./redis/deadlines.js";
import { resolveOptions, type RedisStoreOptions, type ResolvedOptions } from "./redis/options.js";
import { APP_TIME_SLACK_MS, COUNT_SCRIPT, defineScripts, readingOf, type ScriptedClient } from "./redis/scripts.js";
import { RedisStoreError } from "./redis/store-error.js";
import { uncountable, type AdmittingRate, type CounterOp, type CounterReading, type CounterShape, type CounterStore } from "./store.js";

export type { RedisClientLike } from "./redis/connection.js";
export type { RedisStoreOptions } from "./redis/options.js";
export { RedisStoreError, type RedisStoreErrorCode } from "./redis/store-error.js";

/** Points large enough that the limiter itself never refuses: the engine compares against limits. */
const UNLIMITED = Number.MAX_SAFE_INTEGER;

function toReading(res: RateLimiterRes, now: number): CounterReading {
  return { used: res.consumedPoints, resetAt: now + Math.max(res.msBeforeNext, 0) };
}

/** Redis expiries are whole seconds here; rounding up never ends a window early. */
function lifetime(windowMs: number): { customDuration: number } {
  return { customDuration: Math.max(Math.ceil(windowMs / 1000), 1) };
}

function settledValues<T>(results: readonly PromiseSettledResult<T>[]): { values: T[]; failure: unknown; failed: boolean } {
  const values: T[] = [];
  for (const result of results) {
    if (result.status === "rejected") return { values, failure: result.reason, failed: true };
    values.push(result.value);
  }
  return { values, failure: undefined, failed: false };
}

/**
 * Counters in Redis, shared by every process that uses the same Redis and prefix. One `consume` sends all of
 * a decision's counters at once (one round trip; one command per counter, through rate-limiter-flexible's
 * RateLimiterRedis script). Every call gives up within `timeoutMs`, never waits on ioredis' offline queue,
 * and fails with RedisStoreError so each policy's fail mode decides; after a timeout, commands pause until
 * one probe is answered, so none pile up. A call that fails leaves no trace: points that reach Redis after
 * their call gave up are given back.
 * @example
 * import Redis from "ioredis";
 * const store = new RedisStore({ client: new Redis(process.env.REDIS_URL), prefix: "shop:prod" });
 * createGuardian({ store });
 */
export class RedisStore implements CounterStore {
  readonly name = "redis";
  readonly #options: ResolvedOptions;
  /** Where commands go: the app's client, or the store's own auto-pipelining duplicate of it. */
  readonly #connection: StoreConnection;
  readonly #limiter: RateLimiterRedis;
  readonly #scripts: ScriptedClient;
  readonly #deadlines: Deadlines;
  readonly #readiness: Readiness;
  readonly #timeoutError: (overdueMs: number) => RedisStoreError;
  #onInsurance = false;
  /** After a call timed out: no command is sent before this instant (performance.now()), so none pile up. */
  #quietUntil = 0;
  /** A call is testing whether Redis answers again. */
  #probing = false;

  constructor(options: RedisStoreOptions) {
    const resolved = resolveOptions(options);
    this.#options = resolved;
    this.#connection = storeConnection(resolved.client, resolved.autoPipelining);
    const { client } = this.#connection;
    this.#limiter = new RateLimiterRedis({
      storeClient: client,
      points: UNLIMITED,
      duration: 60,
      keyPrefix: `{${resolved.tag}}`,
      rejectIfRedisNotReady: true,
      customIncrTtlLuaScript: COUNT_SCRIPT,
    });
    this.#scripts = defineScripts(client);
    this.#deadlines = new Deadlines(resolved.timeoutMs);
    this.#readiness = new Readiness(
      client,
      (status) => new RedisStoreError("HEXARCH_REDIS_UNAVAILABLE", `Redis is not connected (client status "${status}")`),
    );
    this.#timeoutError = (overdueMs) => {
      const message = `Redis did not answer within ${resolved.timeoutMs} ms`;
      // Judged more than a whole budget after its deadline: this process's event loop was blocked, which says
      // nothing about Redis. The call fails (its fail mode applies), but commands do not pause.
      if (overdueMs >= resolved.timeoutMs) {
        return new RedisStoreError(
          "HEXARCH_REDIS_TIMEOUT",
          `${message} (this process's event loop was blocked for about ${Math.round(overdueMs)} ms)`,
        );
      }
      this.#quietUntil = performance.now() + resolved.timeoutMs;
      return new RedisStoreError("HEXARCH_REDIS_TIMEOUT", message);
    };
  }

  consume(ops: readonly CounterOp[], now = Date.now()): Promise<readonly CounterReading[]> {
    const refused = uncountable(ops);
    if (refused !== undefined) return Promise.reject(refused);
    const onRedis = () =>
      this.#bounded(
        () => this.#consumeOnRedis(ops, now),
        (late) => this.#giveBack(ops, late),
      );
    return this.#insured(onRedis, (insurance) => insurance.consume(ops, now));
  }

  refund(ops: readonly CounterOp[], now = Date.now()): Promise<void> {
    const refused = uncountable(ops);
    if (refused !== undefined) return Promise.reject(refused);
    return this.#insured(
      () => this.#bounded(() => this.#refundOnRedis(ops)),
      (insurance) => insurance.refund(ops, now),
    );
  }

  peek(key: string, shape?: CounterShape, now = Date.now()): Promise<CounterReading | undefined> {
    const onRedis = () =>
      this.#bounded(async () => {
        const rate = shape?.rate;
        if (rate !== undefined) {
          const reading = await this.#take({ key, points: 0, windowMs: (shape as CounterShape).windowMs, rate }, now);
          return reading.used === 0 ? undefined : reading;
        }
        const res = await this.#limiter.get(key);
        return res === null || res.msBeforeNext <= 0 ? undefined : toReading(res, now);
      });
    return this.#insured(onRedis, (insurance) => insurance.peek(key, shape, now));
  }

  /** A sliding window is set to `used` calls at the current instant, a bucket to `used` tokens taken from a full one. */
  set(key: string, used: number, windowMs: number, rate?: AdmittingRate, now = Date.now()): Promise<void> {
    const onRedis = () =>
      this.#bounded(async () => {
        if (rate === undefined) {
          await this.#limiter.set(key, used, lifetime(windowMs).customDuration);
          return;
        }
        await this.#connection.client.del(this.#limiter.getKey(key));
        const points = Math.min(used, rate.algorithm === "sliding_window" ? rate.limit : rate.burst);
        if (points > 0) await this.#take({ key, points, windowMs, rate }, now);
      });
    return this.#insured(onRedis, (insurance) => insurance.set(key, used, windowMs, rate, now));
  }

  /** `SET key 1 NX PX ttl`. Never falls back to insurance: a token used before an outage must stay used. */
  claimOnce(key: string, ttlMs: number): Promise<boolean> {
    const { client } = this.#connection;
    const redisKey = this.#limiter.getKey(key);
    const claim = async () => (await client.set(redisKey, "1", "PX", Math.max(Math.ceil(ttlMs), 1), "NX")) === "OK";
    return this.#bounded(claim, (claimed) => {
      if (claimed) client.del(redisKey).catch(() => undefined);
    });
  }

  /** `SET key text PX ttl`. Never falls back to insurance: a text kept in one process only is no use to the others. */
  putText(key: string, text: string, ttlMs: number): Promise<void> {
    const { client } = this.#connection;
    return this.#bounded(async () => {
      await client.set(this.#limiter.getKey(key), text, "PX", Math.max(Math.ceil(ttlMs), 1));
    });
  }

  /** `GET key`: the text putText kept, or undefined. */
  getText(key: string): Promise<string | undefined> {
    const { client } = this.#connection;
    return this.#bounded(async () => (await client.get(this.#limiter.getKey(key))) ?? undefined);
  }

  /** The SWAP_TEXT script: compare and set in one step on Redis. Never falls back to insurance, as putText. */
  swapText(key: string, expected: string | undefined, next: string, ttlMs: number): Promise<boolean> {
    const redisKey = this.#limiter.getKey(key);
    const ttl = String(Math.max(Math.ceil(ttlMs), 1));
    const swap = () => this.#scripts.hexarchSwapText(redisKey, expected === undefined ? "0" : "1", expected ?? "", next, ttl);
    return this.#bounded(async () => Number(await swap()) === 1);
  }

  /** Deletes one counter. Never falls back to insurance: a reset that did not reach Redis rejects. */
  resetKey(key: string): Promise<void> {
    return this.#bounded(async () => {
      await this.#limiter.delete(key);
    });
  }

  /**
   * Deletes every counter whose key starts with `prefix`, by SCAN on each master (every key of the store sits in
   * one hash slot) and DEL in batches. Takes as long as the scan needs: `timeoutMs` bounds each counting call, not this.
   */
  async resetPrefix(prefix: string): Promise<void> {
    await this.#scan(prefix, "reset by prefix", async (node, keys) => void (await node.del(...keys)));
  }

  /** The keys of every counter whose key starts with `prefix`, by SCAN on each master, as the engine names them. */
  async keysWithPrefix(prefix: string): Promise<string[]> {
    const namespace = this.#limiter.getKey("");
    const found: string[] = [];
    await this.#scan(prefix, "listed", (_node, keys) => void found.push(...keys.map((key) => key.slice(namespace.length))));
    return found;
  }

  /** SCANs each master (every key of the store sits in one hash slot) for keys starting with `prefix`, batch by batch. */
  async #scan(prefix: string, purpose: string, onKeys: (node: RedisClientLike, keys: string[]) => Promise<void> | void): Promise<void> {
    await this.#readiness.check();
    const { client } = this.#connection;
    const pattern = `${this.#limiter.getKey(prefix).replace(/[*?[\]\\]/g, "\\$&")}*`;
    const nodes = client.isCluster === true && client.nodes !== undefined ? client.nodes("master") : [client];
    for (const node of nodes) {
      if (node.scan === undefined)
        throw new RedisStoreError("HEXARCH_REDIS_UNAVAILABLE", `the Redis client cannot SCAN, so counters cannot be ${purpose}`);
      let cursor = "0";
      do {
        const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", 500);
        if (keys.length > 0) await onKeys(node, keys);
        cursor = next;
      } while (cursor !== "0");
    }
  }

  /** Closes the store's own connection, and the app's client too with `quitOnClose`. */
  async close(): Promise<void> {
    const connection = this.#connection;
    connection.unfollow();
    const closing: Promise<void>[] = [];
    if (connection.owned) closing.push(this.#quit(connection.client));
    if (this.#options.quitOnClose) closing.push(this.#quit(this.#options.client));
    await Promise.all(closing);
    this.#deadlines.stop();
  }

  /** Quits a client within `timeoutMs`, else (or when it is not connected) drops its connection. */
  #quit(client: RedisClientLike): Promise<void> {
    if (client.status !== "ready") return Promise.resolve(client.disconnect());
    return this.#deadlines.within(client.quit(), this.#timeoutError).then(
      () => undefined,
      () => client.disconnect(),
    );
  }

  /**
   * Runs `run` once the client is ready, giving up after `timeoutMs`; `undo` gets what arrives after that.
   * Fails at once while the client is not connected. After a call timed out, calls fail at once for
   * `timeoutMs`; then one call probes Redis while the others keep failing, and its answer restores service.
   */
  #bounded<T>(run: () => Promise<T>, undo?: (late: T) => void): Promise<T> {
    const probe = this.#quietUntil !== 0;
    if (probe && (this.#probing || performance.now() < this.#quietUntil)) {
      const message = `Redis did not answer within ${this.#options.timeoutMs} ms a moment ago; commands pause until it does`;
      return Promise.reject(new RedisStoreError("HEXARCH_REDIS_UNAVAILABLE", message));
    }
    let waiting: Promise<void> | undefined;
    try {
      waiting = this.#readiness.check();
    } catch (error) {
      return Promise.reject(error);
    }
    const answer = this.#deadlines.within(waiting === undefined ? run() : waiting.then(run), this.#timeoutError, undo);
    if (!probe) return answer;
    this.#probing = true;
    return answer.then(
      (value) => {
        this.#probing = false;
        this.#quietUntil = 0;
        return value;
      },
      (error: unknown) => {
        this.#probing = false;
        throw error;
      },
    );
  }

  /** Runs on Redis; with an insurance store, falls back to it when Redis fails. No extra promise without insurance. */
  #insured<T>(onRedis: () => Promise<T>, onInsurance: (insurance: CounterStore) => Promise<T>): Promise<T> {
    const insurance = this.#options.insurance;
    return insurance === undefined ? onRedis() : this.#withInsurance(onRedis, () => onInsurance(insurance));
  }

  async #withInsurance<T>(onRedis: () => Promise<T>, onInsurance: () => Promise<T>): Promise<T> {
    try {
      const result = await onRedis();
      this.#onInsurance = false;
      return result;
    } catch (error) {
      if (!this.#onInsurance) {
        this.#onInsurance = true;
        const reason = error instanceof Error ? error.message : String(error);
        process.emitWarning(`${reason}; counting in this process until Redis answers again`, {
          code: "HEXARCH_REDIS_INSURANCE",
          type: "HexarchWarning",
        });
      }
      return onInsurance();
    }
  }

  /** One command per counter: the fixed-window script through RateLimiterRedis, or a sliding-window or bucket script. */
  #take(op: CounterOp, now: number): Promise<CounterReading> {
    const { rate } = op;
    if (rate === undefined) return this.#limiter.consume(op.key, op.points, lifetime(op.windowMs)).then((res) => toReading(res, now));
    const key = this.#limiter.getKey(op.key);
    const stated = this.#options.appTime ? String(now) : "";
    const slack = this.#options.appTime ? APP_TIME_SLACK_MS : 0;
    const reply =
      rate.algorithm === "sliding_window"
        ? this.#scripts.hexarchSlidingTake(key, op.points, op.windowMs, rate.limit, stated, slack)
        : this.#scripts.hexarchBucketTake(key, op.points, op.windowMs, rate.limit, rate.burst, stated, slack);
    return reply.then((answer) => readingOf(answer, now));
  }

  /** Gives back one op: points off a fixed window, or exactly the call `mark` names from a sliding window or bucket. */
  #giveBackOne(op: CounterOp): Promise<unknown> {
    const { rate, mark } = op;
    if (rate === undefined) return this.#limiter.reward(op.key, op.points, lifetime(op.windowMs)).then((res) => this.#upToZero(op, res));
    if (mark === undefined) return Promise.resolve();
    const key = this.#limiter.getKey(op.key);
    if (rate.algorithm === "sliding_window") return this.#scripts.hexarchSlidingGiveBack(key, op.points, mark);
    return this.#scripts.hexarchBucketGiveBack(key, op.points, op.windowMs, rate.limit, mark);
  }

  /**
   * Every counter of a decision is sent at once (one round trip with auto-pipelining); one counter, the usual case,
   * takes a single promise step, several are settled together.
   */
  #consumeOnRedis(ops: readonly CounterOp[], now: number): Promise<readonly CounterReading[]> {
    const sent = ops.map((op) => this.#take(op, now));
    if (sent.length === 1) return (sent[0] as Promise<CounterReading>).then((reading) => [reading]);
    return this.#settleAll(ops, sent);
  }

  async #settleAll(ops: readonly CounterOp[], sent: readonly Promise<CounterReading>[]): Promise<readonly CounterReading[]> {
    const results = await Promise.allSettled(sent);
    const { values, failure, failed } = settledValues(results);
    if (!failed) return values;
    const taken: CounterOp[] = [];
    const readings: CounterReading[] = [];
    results.forEach((result, i) => {
      if (result.status !== "fulfilled") return;
      taken.push(ops[i] as CounterOp);
      readings.push(result.value);
    });
    this.#giveBack(taken, readings);
    throw failure;
  }

  async #refundOnRedis(ops: readonly CounterOp[]): Promise<void> {
    const { failure, failed } = settledValues(await Promise.allSettled(ops.map((op) => this.#giveBackOne(op))));
    if (failed) throw failure;
  }

  /**
   * A refund that found its counter gone (the window ended since the call counted) or holding fewer points left
   * it below zero, which would give the next window free calls: the overshoot is added back (one more command,
   * only then). Adding is safe against calls counted in between: the counter ends at what they put in.
   */
  #upToZero(op: CounterOp, res: RateLimiterRes): Promise<unknown> | undefined {
    return res.consumedPoints < 0 ? this.#limiter.penalty(op.key, -res.consumedPoints, lifetime(op.windowMs)) : undefined;
  }

  /**
   * Best-effort refund of what ops took for a call that already counts as failed (`readings` are what Redis answered);
   * sent even while commands pause, as Redis just answered.
   */
  #giveBack(ops: readonly CounterOp[], readings: readonly CounterReading[]): void {
    const back: CounterOp[] = [];
    ops.forEach((op, i) => {
      const mark = readings[i]?.mark;
      if (op.rate === undefined) back.push(op);
      else if (mark !== undefined) back.push({ ...op, mark });
    });
    if (back.length > 0) this.#refundOnRedis(back).catch(() => undefined);
  }
}
