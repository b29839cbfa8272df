// The error of a RedisStore call that got no answer from Redis.
/** Why a Redis store call failed without an answer from Redis. */
export type RedisStoreErrorCode = "HEXARCH_REDIS_TIMEOUT" | "HEXARCH_REDIS_UNAVAILABLE";

/**
 * A RedisStore call that gave up: Redis did not answer within `timeoutMs`, or the client was not connected.
 * The engine turns it into the policy's fail mode; apps see it in logs.
 * @example
 * logger.error({ err }) // err.code === "HEXARCH_REDIS_TIMEOUT"
 */
export class RedisStoreError extends Error {
  readonly code: RedisStoreErrorCode;

  constructor(code: RedisStoreErrorCode, message: string) {
    super(message);
    this.name = "RedisStoreError";
    this.code = code;
  }
}
