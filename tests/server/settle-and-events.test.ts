// Settling, provider-call events, the seed's /authorize, policies, explain, the log read back and metrics, over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVER_POLICIES, startTestServer, type TestServer } from "./serve-support.js";

const LOGGED = `prices:
  gpt-4o: { input_per_mtok: 2.5, output_per_mtok: 10 }
${SERVER_POLICIES}logging:
  file: decisions.log
`;

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer(LOGGED);
});
afterAll(() => t.stop());

const spent = async (): Promise<number> =>
  (await t.post("/v1/decisions", { policy: "spend", context: { resource: "openai", cost: 0 }, dry_run: true })).body.counters[0].used;

describe("settle", () => {
  it("replaces the estimate with the actual cost, once", async () => {
    const before = await spent();
    const decided = await t.post("/v1/decisions", { policy: "spend", context: { resource: "openai", cost: 2 } });
    expect(await spent()).toBeCloseTo(before + 2);
    const settled = await t.post(`/v1/decisions/${decided.body.id}/settle`, { cost: 0.5 });
    expect(settled.body).toMatchObject({ settled: true, result: "settled" });
    expect(await spent()).toBeCloseTo(before + 0.5);
    const again = await t.post(`/v1/decisions/${decided.body.id}/settle`, { cost: 9 });
    expect(again.status).toBe(409);
    expect(await spent()).toBeCloseTo(before + 0.5);
  });

  it("reserves by the model's tokens and settles by the provider's usage, priced at the file's prices", async () => {
    const before = await spent();
    const decided = await t.post("/v1/decisions", {
      policy: "spend",
      context: { resource: "openai", model: "gpt-4o", input_tokens: 1000, max_output_tokens: 500 },
    });
    expect(await spent()).toBeCloseTo(before + 0.0075, 6);
    const settled = await t.post(`/v1/decisions/${decided.body.id}/settle`, { usage: { prompt_tokens: 1000, completion_tokens: 100 } });
    expect(settled.body).toMatchObject({ settled: true, cost: 0.0035 });
    expect(await spent()).toBeCloseTo(before + 0.0035, 6);
    const both = await t.post(`/v1/decisions/${decided.body.id}/settle`, { cost: 1, usage: {} });
    expect(both.status).toBe(400);
  });

  it("refuses a forged or unknown id with 404, and says when nothing was reserved", async () => {
    const decided = await t.post("/v1/decisions", { policy: "spend", context: { resource: "openai", cost: 1 } });
    const [nonce] = (decided.body.id as string).split(".");
    const forged = `${nonce}.AAAAAAAAAAAAAAAAAAAAAA`;
    expect((await t.post(`/v1/decisions/${forged}/settle`, { cost: 0 })).status).toBe(404);
    expect((await t.post("/v1/decisions/nonsense/settle", { cost: 0 })).status).toBe(404);
    const plain = await t.post("/v1/decisions", { context: { resource: "elsewhere" } });
    expect((await t.post(`/v1/decisions/${plain.body.id}/settle`, { cost: 1 })).body).toMatchObject({
      settled: false,
      result: "nothing-reserved",
    });
  });
});

describe("POST /v1/events/provider-calls", () => {
  it("charges the call's cost to the budgets it falls under, even past the limit", async () => {
    const before = await spent();
    const event = await t.post("/v1/events/provider-calls", {
      provider: "openai",
      model: "gpt-4o",
      input_tokens: 1200,
      output_tokens: 300,
      cost: 3,
      latency_ms: 800,
      ok: true,
    });
    expect(event.body).toMatchObject({ charged: true, budgets: 1 });
    expect(await spent()).toBeCloseTo(before + 3);
  });

  it("settles the decision it names", async () => {
    const decided = await t.post("/v1/decisions", { policy: "spend", context: { resource: "openai", cost: 1 } });
    const before = await spent();
    const event = await t.post("/v1/events/provider-calls", { provider: "openai", cost: 0.25, decision_id: decided.body.id });
    expect(event.body).toMatchObject({ charged: true, result: "settled" });
    expect(await spent()).toBeCloseTo(before - 0.75);
  });
});

describe("POST /authorize (the seed's shape)", () => {
  it("answers ALLOW or DENY with the reason and the policies that applied", async () => {
    const denied = await t.post("/authorize", {
      action: "delete",
      resource: { type: "table", name: "users" },
      context: { user: "ana", backup_verified: true },
    });
    expect(denied.body).toMatchObject({ allowed: false, decision: "DENY", outcome: "confirm", policies: ["safe_delete"] });
    expect(denied.body.reason).toContain("requires confirmation");
    const allowed = await t.post("/authorize", { action: "read", resource: "reports" });
    expect(allowed.body).toMatchObject({ allowed: true, decision: "ALLOW", policies: [] });
  });

  it("names a context field of the wrong type by its path", async () => {
    const bad = await t.post("/authorize", { action: "read", context: { roles: "admin" } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe("context.roles");
  });
});

describe("policies, explain, the log and metrics", () => {
  it("lists the policies and shows one", async () => {
    expect((await t.get("/v1/policies")).body.policies.map((p: { id: string }) => p.id)).toEqual(["safe_delete", "tight", "spend"]);
    expect((await t.get("/v1/policies/tight")).body.rules[0].summary).toContain("3 requests per minute");
    expect((await t.get("/v1/policies/none")).status).toBe(404);
  });

  it("explains every rule without counting", async () => {
    const { body } = await t.post("/v1/explain", { context: { resource: "tight", user: "explainer" } });
    expect(body.rules).toHaveLength(3);
    expect(body.rules.find((r: { policy: string }) => r.policy === "tight").applied).toBe(true);
    expect((await t.post("/v1/decisions", { context: { resource: "tight", user: "explainer" } })).body.counters[0].used).toBe(1);
  });

  it("reads decisions back from the log, filtered, under the ids it handed out", async () => {
    const decided = await t.post("/v1/decisions", { policy: "safe_delete", context: { operation: "delete" } });
    const { body } = await t.get("/v1/decisions?outcome=confirm&limit=5");
    expect(body.decisions.length).toBeGreaterThan(0);
    expect(body.decisions.every((d: { outcome: string }) => d.outcome === "confirm")).toBe(true);
    expect(body.decisions.map((d: { id: string }) => d.id)).toContain(decided.body.id);
    const bad = await t.get("/v1/decisions?outcome=maybe&colour=red");
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe("query.colour");
  });

  it("exports decisions by policy and outcome, and no client or user label", async () => {
    const { body } = await t.get("/metrics");
    expect(body).toMatch(/hexarch_decisions_total\{policy="safe_delete",outcome="confirm"\} \d+/);
    expect(body).toContain("hexarch_decision_duration_seconds_bucket");
    expect(body).not.toMatch(/user=|client=/);
  });
});
