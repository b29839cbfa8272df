// Attacks on who may call the decision server: no key, revoked keys, wrong scopes, odd spellings, short dev tokens.
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ServeRefusal, startServer } from "../../../src/server/start.js";
import { keptLogger, startTestServer, type TestServer } from "../../server/serve-support.js";
import { bearer, keyFor, revoke, sendRaw } from "./attack-support.js";

const POLICIES = `policies:
  - id: spend
    rules:
      - resource: openai
        daily_budget: 10
`;

/** Every route that needs a key, with a body it would accept. */
const PROTECTED: readonly (readonly [method: "GET" | "POST", path: string, body?: unknown])[] = [
  ["POST", "/v1/decisions", { context: { resource: "openai", cost: 1 } }],
  ["POST", "/v1/explain", { context: {} }],
  ["POST", "/v1/events/provider-calls", { provider: "openai", cost: 1 }],
  ["POST", "/events/provider-calls", { provider: "openai", cost: 1 }],
  ["POST", "/authorize", { action: "read", resource: "openai", context: { cost: 1 } }],
  ["POST", "/v1/decisions/d_AAAAAAAAAAAAAAAA/settle", { cost: 0 }],
  ["GET", "/v1/policies"],
  ["GET", "/v1/policies/spend"],
  ["GET", "/v1/decisions"],
  ["GET", "/metrics"],
];

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

/** The status of every protected route called with `headers`. */
async function statuses(server: TestServer, headers: Record<string, string>): Promise<number[]> {
  return Promise.all(
    PROTECTED.map(async ([method, path, body]) =>
      method === "GET" ? (await server.get(path, headers)).status : (await server.post(path, body, headers)).status,
    ),
  );
}

const everyRoute = (status: number): number[] => PROTECTED.map(() => status);

describe("missing and malformed credentials", () => {
  it("refuses every protected route without a key, with an empty one, or under another scheme", async () => {
    t = await startTestServer(POLICIES);
    const key = keyFor(t, "app", "admin");
    const attempts: Record<string, string>[] = [
      {},
      { authorization: "Bearer" },
      { authorization: "Bearer " },
      { authorization: `Basic ${Buffer.from(`x:${key}`).toString("base64")}` },
      { authorization: `Token ${key}` },
      { authorization: `Bearer${key}` },
      { "x-api-key": "" },
      { "x-api-key": "   " },
    ];
    const answers = await Promise.all(attempts.map((headers) => statuses(t as TestServer, headers)));
    answers.forEach((answer, i) => expect(answer, JSON.stringify(attempts[i])).toEqual(everyRoute(401)));
  });

  it("refuses a key one character off, cut short, lengthened, upper-cased, or under another key's id", async () => {
    t = await startTestServer(POLICIES);
    const key = keyFor(t, "app", "admin");
    const other = keyFor(t, "other", "decide");
    const last = key.at(-1) === "A" ? "B" : "A";
    const spellings = [
      `${key.slice(0, -1)}${last}`,
      key.slice(0, -1),
      `${key}A`,
      key.toUpperCase(),
      `${other.slice(0, 13)}${key.slice(13)}`,
      `${key.slice(0, 13)}${other.slice(13)}`,
      key.replace("hxk_", "hxk-"),
      `${key}\u00e9`,
    ];
    for (const spelled of spellings) expect((await t.get("/metrics", bearer(spelled))).status, spelled).toBe(401);
    expect((await t.get("/metrics", bearer(key))).status).toBe(200);
  });

  it("takes the scheme in any case and spaces around the key (RFC 9110), for the exact key only", async () => {
    t = await startTestServer(POLICIES);
    const key = keyFor(t, "app", "admin");
    for (const authorization of [`bearer ${key}`, `BEARER ${key}`, `Bearer    ${key}   `])
      expect((await t.get("/metrics", { authorization })).status, authorization).toBe(200);
  });

  it("never lets a second header lift a first one: Authorization wins over X-API-Key", async () => {
    t = await startTestServer(POLICIES);
    const admin = keyFor(t, "ops", "admin");
    const decide = keyFor(t, "app", "decide");
    const revoked = keyFor(t, "old", "admin");
    revoke(t, "old");
    expect((await t.get("/metrics", { ...bearer(decide), "x-api-key": admin })).status).toBe(403);
    expect((await t.get("/metrics", { ...bearer(revoked), "x-api-key": admin })).status).toBe(401);
  });

  it("answers 401 to a hundred wrong keys at once without locking out the right one", async () => {
    const server = await startTestServer(POLICIES, { callerLimit: 5 });
    t = server;
    const key = keyFor(server, "app", "decide");
    const wrong = await Promise.all(
      Array.from({ length: 100 }, (_, i) => server.get("/v1/policies", bearer(`hxk_${key.slice(4, 12)}_${String(i).padStart(43, "x")}`))),
    );
    expect(wrong.every((answer) => answer.status === 401)).toBe(true);
    expect((await server.get("/v1/policies", bearer(key))).status).toBe(200);
  });
});

describe("revoked keys and a vanished keys file", () => {
  it("leaves every protected route closed when every key is revoked, then the file deleted", async () => {
    t = await startTestServer(POLICIES);
    const admin = keyFor(t, "ops", "admin");
    const decide = keyFor(t, "app", "decide");
    revoke(t, "ops");
    revoke(t, "app");
    for (const headers of [{}, bearer(admin), bearer(decide)]) expect(await statuses(t, headers)).toEqual(everyRoute(401));
    unlinkSync(join(t.dir, "hexarch.keys.json"));
    t.server.reload();
    for (const headers of [{}, bearer(admin)]) expect(await statuses(t, headers)).toEqual(everyRoute(401));
    const fresh = keyFor(t, "new", "admin");
    expect((await t.get("/metrics", bearer(fresh))).status).toBe(200);
    expect((await t.get("/metrics")).status).toBe(401);
  });

  it("stays closed when the keys file is emptied by hand or replaced by one of no keys", async () => {
    t = await startTestServer(POLICIES);
    keyFor(t, "ops", "admin");
    writeFileSync(join(t.dir, "hexarch.keys.json"), `${JSON.stringify({ version: 1, keys: [] })}\n`);
    t.server.reload();
    expect(await statuses(t, {})).toEqual(everyRoute(401));
  });

  it("closes a server started open for good once a key is created: revoking it opens nothing", async () => {
    t = await startTestServer(POLICIES);
    expect((await t.get("/metrics")).status).toBe(200);
    keyFor(t, "ops", "admin");
    expect((await t.get("/metrics")).status).toBe(401);
    revoke(t, "ops");
    expect(await statuses(t, {})).toEqual(everyRoute(401));
  });

  it("keeps a dev-token server closed whatever the keys file does, and the token working", async () => {
    const token = "t".repeat(32);
    t = await startTestServer(POLICIES, { apiToken: token });
    keyFor(t, "app", "decide");
    revoke(t, "app");
    unlinkSync(join(t.dir, "hexarch.keys.json"));
    t.server.reload();
    expect(await statuses(t, {})).toEqual(everyRoute(401));
    expect((await t.get("/metrics", bearer(token))).status).toBe(200);
  });
});

describe("an open server (loopback, no keys)", () => {
  it("answers only requests addressed to a loopback name, so a web page cannot reach it by DNS rebinding", async () => {
    t = await startTestServer(POLICIES);
    const { port } = new URL(t.server.url);
    for (const host of [`rebind.attacker.example:${port}`, "attacker.example", `127.0.0.1.attacker.example:${port}`, `10.0.0.1:${port}`]) {
      const metrics = await sendRaw(t.server.url, "GET", "/metrics", { Host: host });
      expect(metrics.status, host).toBe(403);
      expect(metrics.body).not.toContain("hexarch_decisions_total");
      const decided = await sendRaw(t.server.url, "POST", "/v1/decisions", { Host: host }, '{"context":{}}');
      expect(decided.status, host).toBe(403);
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, "localhost", `[::1]:${port}`])
      expect((await sendRaw(t.server.url, "GET", "/metrics", { Host: host })).status, host).toBe(200);
  });
});

describe("scopes", () => {
  it("refuses a decide key on every admin route, whichever header carries it and however the path is spelled", async () => {
    t = await startTestServer(POLICIES);
    const key = keyFor(t, "app", "decide");
    for (const headers of [bearer(key), { "x-api-key": key }]) {
      expect((await t.get("/metrics", headers)).status).toBe(403);
      expect((await t.get("/v1/decisions", headers)).status).toBe(403);
    }
    const spellings = [
      "/METRICS",
      "/metrics/",
      "//metrics",
      "/./metrics",
      "/v1/../metrics",
      "/%6detrics",
      "/metrics?format=text",
      "/metrics;x",
      "/v1/decisions/",
      "/V1/decisions",
      "/v1//decisions",
      "/v1/%64ecisions",
      "/v1/decisions?limit=1000",
      "/v1/./decisions",
    ];
    for (const target of spellings) {
      const answer = await sendRaw(t.server.url, "GET", target, { "x-api-key": key });
      expect([400, 403, 404], `${target} answered ${answer.status}`).toContain(answer.status);
      expect(answer.body).not.toContain("hexarch_decisions_total");
      const anonymous = await sendRaw(t.server.url, "GET", target);
      expect([400, 401, 404], `${target} without a key answered ${anonymous.status}`).toContain(anonymous.status);
    }
  });

  it("keeps key management off for an admin key unless the server was started with --manage-keys", async () => {
    t = await startTestServer(POLICIES);
    const admin = keyFor(t, "ops", "admin");
    expect((await t.post("/v1/keys", { name: "mine", scopes: ["admin"] }, bearer(admin))).status).toBe(404);
    expect((await t.get("/v1/keys", bearer(admin))).status).toBe(404);
  });
});

describe("dev tokens off loopback", () => {
  const dir = (): string => {
    const folder = mkdtempSync(join(tmpdir(), "hexarch-attack-token-"));
    writeFileSync(join(folder, "hexarch.yaml"), "policies: []\n");
    return folder;
  };
  const start = (folder: string, host: string, apiToken: string) =>
    startServer({ policyFile: join(folder, "hexarch.yaml"), host, port: 0, apiToken, logger: keptLogger(), env: {}, cwd: folder });

  it.each([
    ["0.0.0.0", 1],
    ["0.0.0.0", 31],
    ["::", 16],
    ["192.0.2.1", 8],
  ])("refuses a %s server with a %i-character token before binding, saying how long it must be", async (host, length) => {
    const folder = dir();
    const started = start(folder, host, "k".repeat(length));
    await expect(started).rejects.toThrow(ServeRefusal);
    await expect(started).rejects.toThrow(/at least 32 characters/);
    rmSync(folder, { recursive: true });
  });

  it("starts a 0.0.0.0 server with a 32-character token, and a loopback one with any token, closed either way", async () => {
    const folder = dir();
    for (const [host, token] of [
      ["0.0.0.0", "k".repeat(32)],
      ["127.0.0.1", "k"],
    ] as const) {
      const server = await start(folder, host, token);
      const url = server.url.replace("0.0.0.0", "127.0.0.1");
      expect((await fetch(`${url}/metrics`)).status).toBe(401);
      expect((await fetch(`${url}/metrics`, { headers: bearer(token) })).status).toBe(200);
      await server.close();
    }
    rmSync(folder, { recursive: true });
  });
});
