// Who may call the decision server: the auth matrix, the dev token, keys made with `hexarch keys`, the per-key limit, the bind refusal.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, ServeRefusal } from "../../src/server/start.js";
import { runHexarch } from "../cli/run-hexarch.js";
import { keptLogger, startTestServer, type TestServer } from "./serve-support.js";

const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });
const decide = { context: { resource: "x" } };

let t: TestServer;
let decideKey: string;
let adminKey: string;
let revokedKey: string;

async function createKey(dir: string, name: string, ...scopes: string[]): Promise<string> {
  const run = await runHexarch(["keys", "create", "--name", name, ...scopes.flatMap((s) => ["--scope", s])], { cwd: dir });
  expect(run.code).toBe(0);
  return run.stdout.trim();
}

beforeAll(async () => {
  t = await startTestServer(undefined, { apiToken: "dev-token-for-tests", callerLimit: 20 });
  decideKey = await createKey(t.dir, "app", "decide");
  adminKey = await createKey(t.dir, "ops", "admin");
  revokedKey = await createKey(t.dir, "old", "decide");
  expect((await runHexarch(["keys", "revoke", "old"], { cwd: t.dir })).code).toBe(0);
  t.server.reload();
});
afterAll(() => t.stop());

describe("the auth matrix", () => {
  it.each([
    ["no key", {}, "/v1/decisions", 401],
    ["a wrong key", bearer("hxk_aaaaaaaa_" + "x".repeat(43)), "/v1/decisions", 401],
    ["a malformed key", bearer("not-a-key"), "/v1/decisions", 401],
  ])("refuses %s with 401 and a Bearer challenge", async (_name, headers, path, status) => {
    const answer = await t.post(path, decide, headers);
    expect(answer.status).toBe(status);
    expect(answer.headers.get("www-authenticate")).toBe('Bearer realm="hexarch"');
    expect(answer.headers.get("content-type")).toBe("application/problem+json");
  });

  it("refuses a revoked key with 401", async () => {
    expect((await t.post("/v1/decisions", decide, bearer(revokedKey))).status).toBe(401);
  });

  it("refuses a decide key on admin routes with 403, and admits it on decide routes", async () => {
    expect((await t.post("/v1/decisions", decide, bearer(decideKey))).status).toBe(200);
    expect((await t.get("/v1/policies", bearer(decideKey))).status).toBe(200);
    const metrics = await t.get("/metrics", bearer(decideKey));
    expect(metrics.status).toBe(403);
    expect(metrics.body.detail).toContain("lacks the admin scope");
    expect((await t.get("/v1/decisions", bearer(decideKey))).status).toBe(403);
  });

  it("admits an admin key everywhere, and the dev token, and X-API-Key as well as Bearer", async () => {
    expect((await t.get("/metrics", bearer(adminKey))).status).toBe(200);
    expect((await t.post("/v1/decisions", decide, bearer(adminKey))).status).toBe(200);
    expect((await t.post("/v1/decisions", decide, bearer("dev-token-for-tests"))).status).toBe(200);
    expect((await t.post("/v1/decisions", decide, { "x-api-key": decideKey })).status).toBe(200);
  });

  it("keeps /health and /openapi.json public", async () => {
    expect((await t.get("/health")).status).toBe(200);
    expect((await t.get("/openapi.json")).status).toBe(200);
  });

  it("stops accepting a key revoked while the server runs", async () => {
    const key = await createKey(t.dir, "short-lived", "decide");
    await sleep(600);
    expect((await t.post("/v1/decisions", decide, bearer(key))).status).toBe(200);
    await runHexarch(["keys", "revoke", "short-lived"], { cwd: t.dir });
    let status = 200;
    for (let i = 0; i < 20 && status === 200; i += 1) {
      await sleep(100);
      status = (await t.post("/v1/decisions", decide, bearer(key))).status;
    }
    expect(status).toBe(401);
  });
});

describe("keys", () => {
  it("stores only hashes, lists keys without them, and records the last use", async () => {
    const file = readFileSync(join(t.dir, "hexarch.keys.json"), "utf8");
    expect(file).not.toContain(decideKey.slice(13));
    expect(file).toMatch(/"hash": "sha256:[0-9a-f]{64}"/);
    await t.server.close();
    const list = await runHexarch(["keys", "list", "--json"], { cwd: t.dir });
    const keys = JSON.parse(list.stdout) as { name: string; last_used_at: string | null; revoked_at: string | null; hash?: string }[];
    expect(keys.find((k) => k.name === "app")?.last_used_at).not.toBeNull();
    expect(keys.find((k) => k.name === "old")?.revoked_at).not.toBeNull();
    expect(keys.every((k) => k.hash === undefined)).toBe(true);
    t = await startTestServer(undefined, { apiToken: "dev-token-for-tests", callerLimit: 20 }, { "hexarch.keys.json": file });
  });

  it("refuses an unknown scope", async () => {
    const run = await runHexarch(["keys", "create", "--name", "x", "--scope", "root"], { cwd: t.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown scope root");
  });
});

describe("the server's own limit on its callers", () => {
  it("answers 429 with Retry-After once a key passes its calls per second", async () => {
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 45 }, () => t.post("/v1/decisions", decide, bearer("dev-token-for-tests"))));
    // The limit counts per second of the clock: on a loaded machine the 45 calls may fall in two seconds (or more), each
    // with its own 20.
    const seconds = Math.floor(Date.now() / 1000) - Math.floor(started / 1000) + 1;
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(20 * seconds);
    if (seconds <= 2) {
      const refused = answers.find((a) => a.status === 429);
      expect(refused?.headers.get("retry-after")).toMatch(/^\d+$/);
    }
  });
});

describe("key management over HTTP", () => {
  it("is off unless the server was started with --manage-keys, even for an admin key", async () => {
    const off = await t.get("/v1/keys", bearer(adminKey));
    expect(off.status).toBe(404);
    expect(off.body.detail).toContain("--manage-keys");
  });

  it("with --manage-keys, lets admin keys create, list and revoke keys, and refuses decide keys", async () => {
    const managed = await startTestServer(undefined, { manageKeys: true, apiToken: "dev-token-for-tests" });
    try {
      const admin = bearer("dev-token-for-tests");
      const created = await managed.post("/v1/keys", { name: "made-over-http", scopes: ["decide"] }, admin);
      expect(created.status).toBe(201);
      expect(created.body.key).toMatch(/^hxk_/);
      await sleep(600);
      const made = bearer(created.body.key as string);
      expect((await managed.post("/v1/decisions", decide, made)).status).toBe(200);
      expect((await managed.get("/v1/keys", made)).status).toBe(403);
      const listed = await managed.get("/v1/keys", admin);
      expect(listed.body.keys.map((k: { name: string }) => k.name)).toEqual(["made-over-http"]);
      expect(JSON.stringify(listed.body)).not.toContain("sha256:");
      expect((await fetch(`${managed.server.url}/v1/keys/made-over-http`, { method: "DELETE", headers: admin })).status).toBe(200);
      let status = 200;
      for (let i = 0; i < 20 && status === 200; i += 1) {
        await sleep(100);
        status = (await managed.post("/v1/decisions", decide, made)).status;
      }
      expect(status).toBe(401);
    } finally {
      await managed.stop();
    }
  });
});

describe("binding", () => {
  it("refuses a non-loopback address without keys, saying why", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hexarch-bind-"));
    writeFileSync(join(dir, "hexarch.yaml"), "policies: []\n");
    const start = startServer({ policyFile: join(dir, "hexarch.yaml"), host: "0.0.0.0", port: 0, logger: keptLogger(), env: {}, cwd: dir });
    await expect(start).rejects.toThrow(ServeRefusal);
    await expect(start).rejects.toThrow(/refusing to listen on 0.0.0.0 without API keys/);
    rmSync(dir, { recursive: true });
  });
});
