// Hot reload: a valid edit is live within a second, a broken one keeps the last good policies (health degraded), SIGHUP reloads, counters
// survive a reorder.
import { writeFileSync } from "node:fs";
import { request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { APPROVE_DELETES } from "../support/approval-policy.js";
import { startWebhookReceiver } from "../support/webhook-receiver.js";
import { startTestServer, type TestServer } from "./serve-support.js";

const ONE = `policies:
  - id: api
    description: first wording
    rules:
      - resource: api
        requests_per_minute: 100
        key: user
      - resource: other
        requests_per_minute: 7
`;

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

async function until(check: () => Promise<boolean>, withinMs: number): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > withinMs) throw new Error(`not within ${withinMs} ms`);
    await sleep(25);
  }
  return Date.now() - started;
}

describe("hot reload", () => {
  it("puts a valid edit in force within a second", async () => {
    t = await startTestServer(ONE);
    const server = t;
    writeFileSync(server.policyFile, ONE.replace("requests_per_minute: 7", "requests_per_minute: 9"));
    const took = await until(async () => (await server.get("/v1/policies/api")).body.rules[1].summary.includes("9 requests"), 1000);
    expect(took).toBeLessThan(1000);
  });

  it("keeps serving the last good policies when the file breaks, and says so in /health", async () => {
    t = await startTestServer(ONE);
    const server = t;
    writeFileSync(server.policyFile, ONE.replace("requests_per_minute: 100", "requests_per_minnute: 100"));
    await until(async () => (await server.get("/health")).body.status === "degraded", 2000);
    const health = await server.get("/health");
    expect(health.body.problems.join("\n")).toContain("requests_per_minnute");
    expect(server.logger.lines.join("\n")).toContain("was not reloaded; the last good policies keep serving");
    expect((await server.post("/v1/decisions", { policy: "api", context: { resource: "api", user: "u" } })).body.outcome).toBe("allow");
    writeFileSync(server.policyFile, ONE);
    await until(async () => (await server.get("/health")).body.status === "ok", 2000);
  });

  it("sends approval requests to the notify: targets of the reloaded file, not the ones it started with", async () => {
    const before = await startWebhookReceiver();
    const after = await startWebhookReceiver();
    const policies = (hook: string) => `notify:\n  - webhook: "${hook}"\n${APPROVE_DELETES}`;
    try {
      t = await startTestServer(policies(before.url));
      const drop = (resource: string) => ({ policy: "prod_delete", context: { operation: "delete", resource } });
      const first = (await t.post("/v1/decisions", drop("users"))).body.approval.id as string;
      await before.next((body) => body.includes(first));
      writeFileSync(t.policyFile, policies(after.url));
      expect(t.server.reload()).toBe(true);
      const second = (await t.post("/v1/decisions", drop("orders"))).body.approval.id as string;
      await after.next((body) => body.includes(second));
      expect(before.got.some((delivery) => delivery.body.includes(second))).toBe(false);
    } finally {
      await t?.stop();
      t = undefined;
      await before.close();
      await after.close();
    }
  });

  it("reloads on SIGHUP", async () => {
    t = await startTestServer(ONE);
    const digest = (await t.get("/health")).body.policy_digest as string;
    writeFileSync(t.policyFile, ONE.replace("first wording", "second wording"));
    process.emit("SIGHUP");
    expect((await t.get("/health")).body.policy_digest).not.toBe(digest);
  });

  it("keeps counters through a reorder and a new description, and applies a lowered limit to what was counted", async () => {
    t = await startTestServer(ONE);
    const call = { policy: "api", context: { resource: "api", user: "ana" } };
    for (let i = 0; i < 3; i += 1) await t.post("/v1/decisions", call);
    const [first, second] = ONE.split("      - resource: other");
    const reordered = `${(first as string).replace("first wording", "reworded")}`.replace(
      "      - resource: api",
      `      - resource: other${(second as string).trimEnd()}\n      - resource: api`,
    );
    writeFileSync(t.policyFile, reordered.replace("requests_per_minute: 100", "requests_per_minute: 5"));
    const server = t;
    await until(async () => (await server.get("/v1/policies/api")).body.rules[0].summary.includes("7 requests"), 2000);
    const next = await t.post("/v1/decisions", call);
    expect(next.body.counters[0]).toMatchObject({ used: 4, limit: 5, remaining: 1 });
    expect((await t.post("/v1/decisions", call)).body.outcome).toBe("allow");
    expect((await t.post("/v1/decisions", call)).body.outcome).toBe("limit");
  });
});

describe("graceful shutdown", () => {
  it("answers a request in flight, then stops accepting", async () => {
    t = await startTestServer(ONE);
    const { url, port } = t.server;
    const body = JSON.stringify({ policy: "api", context: { resource: "api", user: "late" } });
    // Headers and half the body are sent before close() is called; the rest follows while the server is closing.
    const answered = new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          path: "/v1/decisions",
          method: "POST",
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.write(body.slice(0, 10));
      setTimeout(() => req.end(body.slice(10)), 200);
    });
    await sleep(100);
    const closing = t.server.close();
    expect(await answered).toBe(200);
    await closing;
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });
});
