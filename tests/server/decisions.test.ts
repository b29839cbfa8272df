// POST /v1/decisions over real HTTP: outcomes as 200s, the confirm token flow, dry runs, and every refusal as problem+json.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./serve-support.js";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.stop());

describe("POST /v1/decisions", () => {
  it("answers a refusal as a 200 carrying the decision", async () => {
    for (let i = 0; i < 3; i += 1)
      expect((await t.post("/v1/decisions", { context: { resource: "tight", user: "ana" } })).body.outcome).toBe("allow");
    const limited = await t.post("/v1/decisions", { context: { resource: "tight", user: "ana" } });
    expect(limited.status).toBe(200);
    expect(limited.body).toMatchObject({
      outcome: "limit",
      allowed: false,
      policy: "tight",
      kind: "rate",
      rule: { policy: "tight", index: 0 },
    });
    expect(limited.body.retry_after).toBeGreaterThan(0);
    expect(limited.body.counters[0]).toMatchObject({ limit: 3, used: 3, remaining: 0 });
  });

  it("admits a confirmed call once with its token, and says why a token is refused", async () => {
    const call = { policy: "safe_delete", context: { operation: "delete", resource: "users" } };
    const asked = await t.post("/v1/decisions", call);
    expect(asked.body.outcome).toBe("confirm");
    const token = asked.body.confirm.token as string;
    expect(Date.parse(asked.body.confirm.expires_at)).toBeGreaterThan(Date.now());
    expect((await t.post("/v1/decisions", { ...call, confirm_token: token })).body.outcome).toBe("allow");
    const again = await t.post("/v1/decisions", { ...call, confirm_token: token });
    expect(again.body).toMatchObject({ outcome: "confirm", confirm: { rejected: "used" } });
    const other = await t.post("/v1/decisions", {
      policy: "safe_delete",
      context: { operation: "delete", resource: "orders" },
      confirm_token: again.body.confirm.token,
    });
    expect(other.body).toMatchObject({ outcome: "confirm", confirm: { rejected: "invalid" } });
  });

  it("counts nothing in a dry run but answers from the real counters", async () => {
    const ctx = { resource: "tight", user: "dry" };
    await t.post("/v1/decisions", { context: ctx });
    for (let i = 0; i < 5; i += 1)
      expect((await t.post("/v1/decisions", { context: ctx, dry_run: true })).body).toMatchObject({
        outcome: "allow",
        dry_run: true,
        counters: [{ used: 2 }],
      });
    expect((await t.post("/v1/decisions", { context: ctx })).body.counters[0].used).toBe(2);
  });

  it("names every unknown field by its path in a 400 problem", async () => {
    const bad = await t.post("/v1/decisions", { context: { resource: "x", colour: "red", facts: { ok: [] } }, extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toBe("application/problem+json");
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(["context.colour", "context.facts.ok", "extra"]);
    expect(bad.body).toMatchObject({ type: "urn:hexarch:problem:bad-request", status: 400, instance: "/v1/decisions" });
  });

  it("refuses an unknown policy, non-JSON, a wrong media type and a body over the limit", async () => {
    const unknown = await t.post("/v1/decisions", { policy: "nope", context: {} });
    expect(unknown.status).toBe(400);
    expect(unknown.body.detail).toContain('no policy with id "nope"; known: safe_delete, tight, spend');
    expect((await t.post("/v1/decisions", "{not json")).status).toBe(400);
    expect((await t.post("/v1/decisions", "{}", { "content-type": "text/plain" })).status).toBe(415);
    const big = await t.post("/v1/decisions", JSON.stringify({ context: { resource: "x".repeat(1_100_000) } }));
    expect(big.status).toBe(413);
    expect(big.body.type).toBe("urn:hexarch:problem:body-too-large");
  });

  it("answers unknown paths with a problem, and sends security headers and a request id everywhere", async () => {
    const missing = await t.get("/v2/nothing");
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toContain("GET /v2/nothing");
    const health = await t.get("/health");
    expect(health.headers.get("x-content-type-options")).toBe("nosniff");
    expect(health.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(health.headers.get("cache-control")).toBe("no-store");
    expect(health.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(health.headers.get("access-control-allow-origin")).toBeNull();
    expect((await t.get("/health", { "x-request-id": "trace-42" })).headers.get("x-request-id")).toBe("trace-42");
  });

  it("reports health with the policy digest, store and log", async () => {
    const { body } = await t.get("/health");
    expect(body).toMatchObject({ status: "ok", store: { name: "memory", ok: true }, log: { enabled: false, ok: true }, problems: [] });
    expect(body.policy_digest).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("CORS", () => {
  it("is sent only for the origin given with --cors", async () => {
    const open = await startTestServer(undefined, { cors: "https://app.example" });
    try {
      const answer = await open.get("/health", { origin: "https://app.example" });
      expect(answer.headers.get("access-control-allow-origin")).toBe("https://app.example");
    } finally {
      await open.stop();
    }
  });
});
