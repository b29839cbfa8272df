// Regressions of issue 28 (access to the decision server): one test per defect, each failing on the code before its fix.
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { createKey, revokeKey } from "../../src/server/api-keys.js";
import { ServeRefusal, startServer } from "../../src/server/start.js";
import { keptLogger, startTestServer, type TestServer } from "./serve-support.js";

const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

/** What a budget has used, read by a dry run (which counts nothing). */
async function used(server: TestServer, policy: string, context: Record<string, unknown>, headers: Record<string, string> = {}) {
  const answer = await server.post("/v1/decisions", { policy, context: { ...context, cost: 0 }, dry_run: true }, headers);
  expect(answer.status).toBe(200);
  return answer.body.counters[0].used as number;
}

const BUDGET = `policies:
  - id: spend
    rules:
      - resource: openai
        daily_budget: 10
`;

describe("issue 28: access to the decision server", () => {
  it("a revoked last key, or a deleted keys file, does not open the server to every caller", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hexarch-i28-"));
    const keysFile = join(dir, "hexarch.keys.json");
    createKey(keysFile, "only", ["admin"]);
    const keysText = readFileSync(keysFile, "utf8");
    rmSync(dir, { recursive: true });
    t = await startTestServer(BUDGET, {}, { "hexarch.keys.json": keysText });
    const file = join(t.dir, "hexarch.keys.json");
    expect(revokeKey(file, "only")).toBe(true);
    t.server.reload();
    expect((await t.get("/metrics")).status).toBe(401);
    expect((await t.get("/v1/decisions")).status).toBe(401);
    unlinkSync(file);
    t.server.reload();
    expect((await t.get("/metrics")).status).toBe(401);
    expect((await t.post("/v1/decisions", { context: {} })).status).toBe(401);
  });

  it("a one-character dev token does not admit callers on 0.0.0.0", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hexarch-i28-"));
    writeFileSync(join(dir, "hexarch.yaml"), "policies: []\n");
    const started = await startServer({
      policyFile: join(dir, "hexarch.yaml"),
      host: "0.0.0.0",
      port: 0,
      apiToken: "x",
      logger: keptLogger(),
      env: {},
      cwd: dir,
    }).catch((error: unknown) => error);
    if (!(started instanceof Error)) await (started as { close(): Promise<void> }).close();
    rmSync(dir, { recursive: true });
    expect(started).toBeInstanceOf(ServeRefusal);
    expect((started as Error).message).toMatch(/at least 32 characters/);
  });

  it("a key that did not make a decision cannot settle its reservation", async () => {
    t = await startTestServer(BUDGET);
    const file = join(t.dir, "hexarch.keys.json");
    const owner = createKey(file, "owner", ["decide"]).key;
    const other = createKey(file, "other", ["decide"]).key;
    t.server.reload();
    const decided = await t.post("/v1/decisions", { policy: "spend", context: { resource: "openai", cost: 2 } }, bearer(owner));
    const before = await used(t, "spend", { resource: "openai" }, bearer(owner));
    const stolen = await t.post(`/v1/decisions/${decided.body.id}/settle`, { cost: 0 }, bearer(other));
    expect(stolen.status).toBe(403);
    expect(await used(t, "spend", { resource: "openai" }, bearer(owner))).toBeCloseTo(before);
  });

  it("a settle after reservation_ttl leaves the budget as it was", async () => {
    t = await startTestServer(`policies:
  - id: spend
    rules:
      - resource: openai
        daily_budget: 10
        reservation_ttl: 0.2
`);
    const decided = await t.post("/v1/decisions", { policy: "spend", context: { resource: "openai", cost: 2 } });
    await sleep(400);
    const before = await used(t, "spend", { resource: "openai" });
    const late = await t.post(`/v1/decisions/${decided.body.id}/settle`, { cost: 0 });
    expect(late.status).toBe(200);
    expect(late.body).toMatchObject({ settled: false, result: "expired" });
    expect(await used(t, "spend", { resource: "openai" })).toBeCloseTo(before);
  });

  it("a decision id stays short, and settles, with 12 budgets and a 1,000-character user", async () => {
    const budgets = Array.from(
      { length: 12 },
      (_, i) => `  - id: b${i}
    rules:
      - resource: openai
        daily_budget: 1000
        key: user
`,
    ).join("");
    t = await startTestServer(`policies:\n${budgets}`);
    const user = "u".repeat(1000);
    const decided = await t.post("/v1/decisions", { context: { resource: "openai", user, cost: 2 } });
    expect(decided.status).toBe(200);
    expect((decided.body.id as string).length).toBeLessThanOrEqual(128);
    const settled = await t.post(`/v1/decisions/${decided.body.id}/settle`, { cost: 0.5 });
    expect(settled.status).toBe(200);
    expect(settled.body).toMatchObject({ settled: true, result: "settled" });
    expect(await used(t, "b7", { resource: "openai", user })).toBeCloseTo(0.5);
  });

  it("a reservation made through /authorize settles like any other", async () => {
    t = await startTestServer(BUDGET);
    const authorized = await t.post("/authorize", { action: "read", resource: "openai", context: { cost: 2 } });
    expect(authorized.body.allowed).toBe(true);
    expect(await used(t, "spend", { resource: "openai" })).toBeCloseTo(2);
    const settled = await t.post(`/v1/decisions/${authorized.body.id}/settle`, { cost: 0.25 });
    expect(settled.body).toMatchObject({ settled: true, result: "settled" });
    expect(await used(t, "spend", { resource: "openai" })).toBeCloseTo(0.25);
  });
});
