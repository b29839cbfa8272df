// RedisStore options are checked once, at construction, and every problem is reported together.
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { PolicyConfigError, RedisStore, type RedisStoreOptions } from "../../../src/index.js";

/** Never connects: a lazy client with nothing sent to it. */
const idle = new Redis({ lazyConnect: true });

function problemsOf(options: RedisStoreOptions): string[] {
  try {
    new RedisStore(options);
  } catch (error) {
    if (error instanceof PolicyConfigError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  return [];
}

describe("RedisStore options", () => {
  afterAll(() => idle.disconnect());

  it("accepts a client alone, with the defaults", () => {
    expect(problemsOf({ client: idle })).toEqual([]);
    expect(new RedisStore({ client: idle }).name).toBe("redis");
  });

  it("reports every bad option at once", () => {
    const problems = problemsOf({
      client: {} as never,
      prefix: "{app}",
      timeoutMs: 0,
      insurance: "memory" as never,
      autoPipelining: "yes" as never,
    });
    expect(problems).toEqual([
      "RedisStore.client: is not an ioredis client",
      'RedisStore.prefix: "{app}" cannot be a key prefix',
      "RedisStore.timeoutMs: 0 is not a positive number of milliseconds",
      "RedisStore.insurance: is neither a boolean nor a counter store",
      "RedisStore.autoPipelining: yes is not a boolean",
    ]);
  });

  it.each([[""], [":"], ["my app"]])("refuses the prefix %j", (prefix) => {
    expect(problemsOf({ client: idle, prefix })).toHaveLength(1);
  });

  it.each([[Number.NaN], [-5], [Number.POSITIVE_INFINITY]])("refuses timeoutMs %d", (timeoutMs) => {
    expect(problemsOf({ client: idle, timeoutMs })).toHaveLength(1);
  });
});
