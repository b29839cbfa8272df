// Store selection without code: HEXARCH_REDIS_URL or the policy file's store: section picks RedisStore.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGuardian, PolicyConfigError, type Guardian } from "../../../src/index.js";
import { connectRedis, describeWithRedis, redisForTests, uniquePrefix } from "../../support/redis.js";

const TWO_PER_MINUTE = `
policies:
  - id: shared
    rules:
      - requests_per_minute: 2
        key: global
`;

/** A loopback port nothing listens on: connections are refused at once. */
const REFUSED_URL = "redis://127.0.0.1:1";

function withStore(store: string, policies = TWO_PER_MINUTE): string {
  return `store:\n${store}\n${policies}`;
}

function configError(run: () => unknown): PolicyConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof PolicyConfigError) return error;
    throw error;
  }
  throw new Error("expected a PolicyConfigError");
}

describe("store selection without Redis", () => {
  it("keeps counters in memory when nothing names a Redis", () => {
    expect(createGuardian({ policyText: TWO_PER_MINUTE, env: {} }).store.name).toBe("memory");
  });

  it("refuses a redis_url that is not a Redis URL, located in the file", () => {
    const error = configError(() =>
      createGuardian({ policyText: withStore('  redis_url: "http://cache:6379"'), policyFile: "hexarch.yaml", env: {} }),
    );
    expect(error.problems[0]).toMatchObject({ file: "hexarch.yaml", line: 2, path: "store.redis_url" });
    expect(error.problems[0]?.message).toContain("not a redis:// or rediss:// URL");
  });

  it("refuses a HEXARCH_REDIS_URL that is not a URL, naming the variable", () => {
    const error = configError(() => createGuardian({ policyText: TWO_PER_MINUTE, env: { HEXARCH_REDIS_URL: "localhost" } }));
    expect(error.problems[0]).toMatchObject({ file: "<environment>", path: "HEXARCH_REDIS_URL" });
  });

  it("says to install ioredis when a Redis is configured without it", async () => {
    const folder = mkdtempSync(join(tmpdir(), "hexarch-no-ioredis-"));
    try {
      const script = join(folder, "start.mts");
      const entry = fileURLToPath(new URL("../../../src/index.ts", import.meta.url));
      writeFileSync(
        script,
        `import { createGuardian } from ${JSON.stringify(entry)};
try { createGuardian({ policyText: "policies: []", env: { HEXARCH_REDIS_URL: "redis://127.0.0.1:6379" }, cwd: process.cwd() }); console.log("created"); }
catch (error) { console.log(JSON.stringify({ name: error.name, problems: error.problems })); }`,
      );
      const tsx = import.meta.resolve("tsx");
      const { stdout } = await promisify(execFile)(process.execPath, ["--import", tsx, script], { cwd: folder });
      const reported = JSON.parse(stdout) as { name: string; problems: { message: string; fix: string }[] };
      expect(reported.name).toBe("PolicyConfigError");
      expect(reported.problems[0]?.message).toContain("ioredis package is not installed");
      expect(reported.problems[0]?.fix).toBe("npm install ioredis");
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("opens no connection until a counter is needed, then follows the fail mode", async () => {
    const policies = `
policies:
  - id: confirm_deletes
    rules:
      - operation: delete
        action: require_confirmation
  - id: shared
    rules:
      - requests_per_minute: 2
        key: global
`;
    const guardian = createGuardian({ policyText: withStore(`  redis_url: "${REFUSED_URL}"`, policies), env: {} });
    expect(guardian.store.name).toBe("redis");
    expect((await guardian.check("confirm_deletes", { operation: "delete" })).outcome).toBe("confirm");
    const failed = await guardian.check("shared", {});
    expect(failed).toMatchObject({ outcome: "error", kind: "store" });
    expect(failed.reason).toContain("Redis is not connected");
    await guardian.close();
  });
});

describeWithRedis("store selection with Redis", "any", () => {
  let url: string;
  let release: () => Promise<void>;
  let reader: Redis;
  const guardians: Guardian[] = [];

  beforeAll(async () => {
    ({ url, release } = await redisForTests());
    reader = await connectRedis(url);
  });

  afterAll(async () => {
    await Promise.all(guardians.map((g) => g.close()));
    reader.disconnect();
    await release();
  });

  const guardianFrom = (policyText: string, env: Record<string, string> = {}): Guardian => {
    const guardian = createGuardian({ policyText, env });
    guardians.push(guardian);
    return guardian;
  };

  it("HEXARCH_REDIS_URL moves counters to Redis: two guardians share one limit", async () => {
    const policy = withStore(`  prefix: "${uniquePrefix("env")}"`);
    const first = guardianFrom(policy, { HEXARCH_REDIS_URL: url });
    const second = guardianFrom(policy, { HEXARCH_REDIS_URL: url });
    expect(first.store.name).toBe("redis");
    expect((await first.evaluate({})).outcome).toBe("allow");
    expect((await second.evaluate({})).outcome).toBe("allow");
    expect((await first.evaluate({})).outcome).toBe("limit");
  });

  it("the file's store section sets the URL and the key prefix", async () => {
    const prefix = uniquePrefix("file");
    const guardian = guardianFrom(withStore(`  redis_url: "${url}"\n  prefix: "${prefix}:"\n  timeout_ms: 150`));
    await guardian.evaluate({});
    const keys = await reader.keys(`{${prefix}}:*`);
    expect(keys).toHaveLength(1);
  });

  it("HEXARCH_REDIS_URL wins over the file's redis_url", async () => {
    const guardian = guardianFrom(withStore(`  redis_url: "${REFUSED_URL}"\n  prefix: "${uniquePrefix("wins")}"`), {
      HEXARCH_REDIS_URL: url,
    });
    expect((await guardian.evaluate({})).outcome).toBe("allow");
  });
});
