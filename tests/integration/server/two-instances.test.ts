// Two `hexarch serve` processes on one Redis: a limit holds exactly across both, and a decision settles on the other one.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithRedis, redisForTests } from "../../support/redis.js";

const CLI = fileURLToPath(new URL("../../../src/cli/main.ts", import.meta.url));

// A generous store deadline: the test is about exact counts across processes on a shared, loaded machine, not latency.
const POLICIES = `store:
  timeout_ms: 5000
policies:
  - id: fifty
    rules:
      - resource: shared
        requests_per_minute: 50
        key: user
  - id: spend
    rules:
      - resource: openai
        daily_budget: 100
        key: user
`;

/** Starts `hexarch serve` in its own process and resolves with its URL once it listens. */
function startInstance(policyFile: string, env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), CLI, "serve", policyFile, "--port", "0"], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url !== undefined) resolve({ url, child });
    });
    child.once("exit", (code) => reject(new Error(`hexarch serve exited with ${String(code)}: ${out}`)));
  });
}

async function post(url: string, body: unknown): Promise<{ outcome: string; id: string; counters: { used: number }[] }> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return (await response.json()) as { outcome: string; id: string; counters: { used: number }[] };
}

describeWithRedis("two server processes on one Redis", "any", () => {
  let dir: string;
  let release: () => Promise<void>;
  let a: { url: string; child: ChildProcess };
  let b: { url: string; child: ChildProcess };

  beforeAll(async () => {
    let url: string;
    ({ url, release } = await redisForTests());
    dir = mkdtempSync(join(tmpdir(), "hexarch-two-"));
    writeFileSync(join(dir, "hexarch.yaml"), POLICIES);
    const env = { HEXARCH_REDIS_URL: url, HEXARCH_SECRET: "shared-secret-of-two-instances-42" };
    [a, b] = await Promise.all([startInstance(join(dir, "hexarch.yaml"), env), startInstance(join(dir, "hexarch.yaml"), env)]);
  }, 60_000);

  afterAll(async () => {
    for (const instance of [a, b]) instance?.child.kill("SIGTERM");
    await release?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it("allows exactly 50 of 400 concurrent decisions against a limit of 50", async () => {
    const user = `u-${randomBytes(6).toString("hex")}`;
    const outcomes = await Promise.all(
      Array.from({ length: 400 }, (_, i) =>
        post(`${(i % 2 === 0 ? a : b).url}/v1/decisions`, { policy: "fifty", context: { resource: "shared", user } }),
      ),
    );
    const allowed = outcomes.filter((o) => o.outcome === "allow").length;
    expect(allowed).toBe(50);
    expect(outcomes.filter((o) => o.outcome === "limit").length).toBe(350);
  });

  it("settles on the other instance a decision one instance made", async () => {
    const context = { resource: "openai", user: `u-${randomBytes(6).toString("hex")}` };
    const decided = await post(`${a.url}/v1/decisions`, { policy: "spend", context: { ...context, cost: 10 } });
    expect(decided.counters[0]?.used).toBe(10);
    const settled = await fetch(`${b.url}/v1/decisions/${decided.id}/settle`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ cost: 4 }),
    });
    expect(await settled.json()).toMatchObject({ settled: true });
    expect(
      (await post(`${a.url}/v1/decisions`, { policy: "spend", context: { ...context, cost: 0 }, dry_run: true })).counters[0]?.used,
    ).toBe(4);
    const twice = await fetch(`${a.url}/v1/decisions/${decided.id}/settle`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ cost: 1 }),
    });
    expect(twice.status).toBe(409);
  });
});
