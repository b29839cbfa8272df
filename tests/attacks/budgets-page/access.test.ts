// The budgets page as an attacker tries it: no key, a decide key, forged and stale cookies, cross-site posts, hostile names.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runHexarch } from "../../cli/run-hexarch.js";
import { startTestServer, type TestServer } from "../../server/serve-support.js";

const POLICIES = `policies:
  - id: spend
    rules:
      - resource: openai
        daily_budget: 10
        key: user
        action: "warn_at_80%"
`;
const HOSTILE_USER = `"><img src=x onerror=alert(1)><script>alert('k')</script>`;

let t: TestServer;
let decideKey: string;
let viewKey: string;
let adminKey: string;
let goneKey: string;

async function createKey(name: string, scope: string): Promise<string> {
  const run = await runHexarch(["keys", "create", "--name", name, "--scope", scope], { cwd: t.dir });
  expect(run.code).toBe(0);
  return run.stdout.trim();
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** Posts the sign-in form as a browser on `origin` would; the raw response, redirects not followed. */
function signIn(key: string, origin: string | undefined = t.server.url): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (origin !== undefined) headers["origin"] = origin;
  return fetch(`${t.server.url}/budgets/sign-in`, { method: "POST", headers, body: `key=${encodeURIComponent(key)}`, redirect: "manual" });
}

/** The session cookie (name=value) a sign-in set. */
function sessionOf(response: Response): string {
  const set = response.headers.get("set-cookie") ?? "";
  return set.split(";")[0] as string;
}

beforeAll(async () => {
  t = await startTestServer(POLICIES);
  decideKey = await createKey("app", "decide");
  viewKey = await createKey("finance", "view");
  adminKey = await createKey("ops", "admin");
  goneKey = await createKey("left", "view");
  t.server.reload();
  for (const user of ["ada", HOSTILE_USER])
    expect(
      (await t.post("/v1/decisions", { policy: "spend", context: { resource: "openai", user, cost: 9 } }, bearer(decideKey))).status,
    ).toBe(200);
});
afterAll(() => t.stop());

describe("who may see the budgets page", () => {
  it("without a key: the sign-in form (401), and a problem for the JSON", async () => {
    const page = await fetch(`${t.server.url}/budgets`);
    expect(page.status).toBe(401);
    const html = await page.text();
    expect(html).toContain('<input type="password" name="key"');
    expect(html).not.toContain("ada");
    const data = await t.get("/budgets/data");
    expect(data.status).toBe(401);
    expect(data.headers.get("content-type")).toBe("application/problem+json");
  });

  it("a decide key: 403 as a bearer, and no session from the form", async () => {
    expect((await t.get("/budgets/data", bearer(decideKey))).status).toBe(403);
    const answer = await signIn(decideKey);
    expect(answer.status).toBe(403);
    expect(answer.headers.get("set-cookie")).toBeNull();
  });

  it("a view key reads the page and its data, and nothing else", async () => {
    const data = await t.get("/budgets/data", bearer(viewKey));
    expect(data.status).toBe(200);
    expect(data.body.budgets.map((b: { key: string; reserved: number }) => [b.key, b.reserved])).toEqual(
      expect.arrayContaining([
        ["ada", 9],
        [HOSTILE_USER, 9],
      ]),
    );
    expect((await t.post("/v1/decisions", { policy: "spend", context: {} }, bearer(viewKey))).status).toBe(403);
    expect((await t.get("/metrics", bearer(viewKey))).status).toBe(403);
    expect((await t.get("/v1/decisions", bearer(viewKey))).status).toBe(403);
  });

  it("signs a view or admin key in with a cookie that is HttpOnly, SameSite=Strict and scoped to /budgets", async () => {
    for (const key of [viewKey, adminKey]) {
      const answer = await signIn(key);
      expect(answer.status).toBe(303);
      expect(answer.headers.get("location")).toBe("/budgets");
      const cookie = answer.headers.get("set-cookie") ?? "";
      expect(cookie).toMatch(/^hexarch_view=[a-z0-9-]+\.\d+\.[A-Za-z0-9_-]+; Path=\/budgets; Max-Age=28800; HttpOnly; SameSite=Strict$/);
      expect(cookie).not.toContain(key);
      const page = await fetch(`${t.server.url}/budgets`, { headers: { cookie: sessionOf(answer) } });
      expect(page.status).toBe(200);
    }
  });

  it("refuses a wrong key at the form with 401", async () => {
    expect((await signIn("hxk_aaaaaaaa_" + "x".repeat(43))).status).toBe(401);
    expect((await signIn("x".repeat(100_000))).status).toBe(401);
  });
});

describe("forged and stale sessions", () => {
  it("refuses a cookie whose id, expiry or signature was changed", async () => {
    const [name, value] = sessionOf(await signIn(viewKey)).split("=") as [string, string];
    const [id, until, mac] = value.split(".") as [string, string, string];
    const adminId = adminKey.split("_")[1] as string;
    const forged = [
      `${adminId}.${until}.${mac}`,
      `${id}.${Number(until) + 86_400_000}.${mac}`,
      `${id}.${until}.${mac.slice(0, -2)}AA`,
      `${id}.${until}`,
      `dev-token.${until}.${mac}`,
      "",
    ];
    for (const bad of forged) {
      const data = await t.get("/budgets/data", { cookie: `${name}=${bad}` });
      expect(data.status, bad).toBe(401);
    }
  });

  it("refuses a cookie made by another server (its own secret)", async () => {
    const other = await startTestServer(POLICIES);
    try {
      const run = await runHexarch(["keys", "create", "--name", "x", "--scope", "view"], { cwd: other.dir });
      other.server.reload();
      const cookie = sessionOf(
        await fetch(`${other.server.url}/budgets/sign-in`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", origin: other.server.url },
          body: `key=${encodeURIComponent(run.stdout.trim())}`,
          redirect: "manual",
        }),
      );
      expect(cookie).toMatch(/^hexarch_view=/);
      expect((await t.get("/budgets/data", { cookie })).status).toBe(401);
    } finally {
      await other.stop();
    }
  });

  it("ends a session when its key is revoked", async () => {
    const cookie = sessionOf(await signIn(goneKey));
    expect((await t.get("/budgets/data", { cookie })).status).toBe(200);
    expect((await runHexarch(["keys", "revoke", "left"], { cwd: t.dir })).code).toBe(0);
    t.server.reload();
    expect((await t.get("/budgets/data", { cookie })).status).toBe(401);
  });
});

describe("cross-site requests", () => {
  it("refuses a sign-in or sign-out posted from another origin, or with no Origin", async () => {
    for (const origin of ["https://evil.example", "null", `${t.server.url}.evil.example`]) {
      const answer = await signIn(viewKey, origin);
      expect(answer.status, origin).toBe(403);
      expect(answer.headers.get("set-cookie")).toBeNull();
    }
    // fetch always sends an Origin on a POST: node:http sends only what it is given.
    const bare = await new Promise<{ status: number; cookie: string[] | undefined }>((resolve, reject) => {
      const body = `key=${encodeURIComponent(viewKey)}`;
      const req = request(`${t.server.url}/budgets/sign-in`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body) },
      });
      req.on("response", (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, cookie: res.headers["set-cookie"] });
      });
      req.on("error", reject);
      req.end(body);
    });
    expect(bare).toEqual({ status: 403, cookie: undefined });
    // A browser that withholds the Origin says where the post came from in Sec-Fetch-Site, which no page can set.
    for (const site of ["cross-site", "same-site", "none"]) {
      const withheld = await fetch(`${t.server.url}/budgets/sign-in`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: "null", "sec-fetch-site": site },
        body: `key=${encodeURIComponent(viewKey)}`,
        redirect: "manual",
      });
      expect(withheld.status, site).toBe(403);
    }
    const out = await fetch(`${t.server.url}/budgets/sign-out`, {
      method: "POST",
      headers: { origin: "https://evil.example" },
      redirect: "manual",
    });
    expect(out.status).toBe(403);
  });
});

describe("hostile names on the page", () => {
  it("escapes keys, runs only its own nonce'd script, and the JSON keeps the key as text", async () => {
    const page = await fetch(`${t.server.url}/budgets`, { headers: { cookie: sessionOf(await signIn(viewKey)) } });
    const html = await page.text();
    expect(html).not.toContain("<img src=x");
    expect(html).not.toContain("<script>alert");
    expect(html).toContain("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(&#39;k&#39;)&lt;/script&gt;");
    const csp = page.headers.get("content-security-policy") ?? "";
    const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(csp).not.toContain("unsafe-inline");
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toContain(`<script nonce="${nonce}">`);
  });
});
