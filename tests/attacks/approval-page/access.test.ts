// The approval page as an agent or a hostile site tries it: the caller's own URL, guessed and stale link keys, keys of
// the wrong scope, forged and borrowed cookies, cross-site posts, a link used twice, hostile text in what is asked.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../server/serve-support.js";
import { APPROVE_DELETES } from "../../support/approval-policy.js";
import { startWebhookReceiver, type WebhookReceiver } from "../../support/webhook-receiver.js";
import { bearer, keyFor, revoke } from "../server/attack-support.js";

const HOSTILE = `"><img src=x onerror=alert(1)><script>alert('k')</script>`;

let t: TestServer;
let hook: WebhookReceiver;
let app: Record<string, string>;
let approveKey: string;
let viewKey: string;

function policies(hookUrl: string): string {
  return `notify:
  - webhook: "${hookUrl}"
approvals:
  base_url: "https://guard.example.com"
${APPROVE_DELETES}`;
}

/** A fresh approval request for a delete of `resource`: its id, the caller's URL, and the link the notification carried. */
async function ask(resource: string, user = "agent-7"): Promise<{ id: string; callerUrl: string; link: string }> {
  const answer = await t.post("/v1/decisions", { policy: "prod_delete", context: { operation: "delete", resource, user } }, app);
  const { id, url } = answer.body.approval as { id: string; url: string };
  const delivery = await hook.next((body) => body.includes(id));
  const link = (JSON.parse(delivery.body) as { url: string }).url;
  // The base URL is a made-up public name: the page is asked on the test server at the same path.
  const local = (address: string) => `${t.server.url}${new URL(address).pathname}${new URL(address).search}`;
  return { id, callerUrl: local(url), link: local(link) };
}

/** Posts a form as a browser on `origin` would (redirects not followed). */
function postForm(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${t.server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: t.server.url, ...headers },
    body: new URLSearchParams(fields).toString(),
    redirect: "manual",
  });
}

/** Signs in with `key` and returns the session cookie (name=value), or the failed answer. */
async function signIn(key: string, id: string): Promise<{ cookie: string; response: Response }> {
  const response = await postForm("/approvals/sign-in", { key, id });
  return { cookie: (response.headers.get("set-cookie") ?? "").split(";")[0] as string, response };
}

const keyOf = (link: string) => new URL(link).searchParams.get("key") as string;
const status = async (id: string) => (await t.get(`/v1/approvals/${id}`, bearer(approveKey))).body.status as string;

beforeAll(async () => {
  hook = await startWebhookReceiver();
  t = await startTestServer(policies(hook.url));
  app = bearer(keyFor(t, "app", "decide"));
  approveKey = keyFor(t, "ada", "approve");
  viewKey = keyFor(t, "finance", "view");
});
afterAll(async () => {
  await t.stop();
  await hook.close();
});

describe("who may open an approval page", () => {
  it("the caller's own approval.url carries no key and opens only the sign-in form, which shows nothing of the request", async () => {
    const { callerUrl } = await ask("users");
    expect(new URL(callerUrl).searchParams.has("key")).toBe(false);
    const page = await fetch(callerUrl);
    expect(page.status).toBe(401);
    const html = await page.text();
    expect(html).toContain('type="password"');
    expect(html).not.toContain("prod_delete");
    expect(html).not.toContain("users");
  });

  it("a guessed key, another request's link key, an over-long key and a made-up id open nothing", async () => {
    const one = await ask("orders");
    const other = await ask("invoices");
    const guessed = `${one.callerUrl}?key=${"A".repeat(32)}`;
    const borrowed = `${one.callerUrl}?key=${keyOf(other.link)}`;
    const long = `${one.callerUrl}?key=${"k".repeat(100_000)}`;
    for (const address of [guessed, borrowed]) expect((await fetch(address)).status).toBe(401);
    expect([401, 414, 431]).toContain((await fetch(long)).status);
    expect((await fetch(`${t.server.url}/approvals/ap_${"A".repeat(22)}?key=${keyOf(one.link)}`)).status).toBe(401);
    for (const odd of ["..%2F..%2Fetc", "ap_short", "%00", "AP_" + "a".repeat(22)])
      expect((await fetch(`${t.server.url}/approvals/${odd}`)).status).toBe(404);
    expect(await status(one.id)).toBe("pending");
  });

  it("the notification's link opens the page: what is asked, escaped, with Approve and Deny, under a strict policy and no script", async () => {
    const { link } = await ask("tables", HOSTILE);
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(page.headers.get("referrer-policy")).toBe("same-origin");
    expect(page.headers.get("cache-control")).toBe("no-store");
    const html = await page.text();
    expect(html).toContain("prod_delete");
    expect(html).toContain("delete on tables");
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;script&gt;alert(&#39;k&#39;)");
    expect(html.match(/<button class="(approve|deny)">/g)).toEqual(['<button class="approve">', '<button class="deny">']);
  });
});

describe("deciding through the link", () => {
  it("refuses a post from another site, or with neither Origin nor Sec-Fetch-Site, and the request stays pending", async () => {
    const { id, link } = await ask("accounts");
    const fields = { key: keyOf(link), by: "Mallory" };
    expect((await postForm(`/approvals/${id}/approve`, fields, { origin: "https://evil.example" })).status).toBe(403);
    expect((await postForm(`/approvals/${id}/approve`, fields, { origin: "null" })).status).toBe(403);
    const bare = await fetch(`${t.server.url}/approvals/${id}/approve`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
    expect(bare.status).toBe(403);
    expect(await status(id)).toBe("pending");
  });

  it("wants a name, decides once, records who, and the link opens nothing afterwards", async () => {
    const { id, link } = await ask("backups");
    const key = keyOf(link);
    const nameless = await postForm(`/approvals/${id}/approve`, { key, by: "  " });
    expect(await nameless.text()).toContain("Say who you are");
    expect(await status(id)).toBe("pending");
    const approved = await postForm(`/approvals/${id}/approve`, { key, by: "Grace" });
    expect(approved.status).toBe(200);
    expect(await approved.text()).toContain("You approved this request.");
    expect((await t.get(`/v1/approvals/${id}`, bearer(approveKey))).body).toMatchObject({
      status: "approved",
      decided_by: "Grace (signed link)",
    });
    expect((await fetch(link)).status).toBe(401);
    const again = await postForm(`/approvals/${id}/deny`, { key, by: "Grace", reason: "changed my mind" });
    expect(again.status).toBe(401);
    expect(await status(id)).toBe("approved");
  });

  it("a link key never works for another request's form", async () => {
    const one = await ask("queues");
    const other = await ask("topics");
    const crossed = await postForm(`/approvals/${other.id}/approve`, { key: keyOf(one.link), by: "Eve" });
    expect(crossed.status).toBe(401);
    expect(await status(other.id)).toBe("pending");
  });
});

describe("signing in", () => {
  it("refuses the app's decide key, a view key, a revoked key and a post from elsewhere", async () => {
    const { id } = await ask("buckets");
    expect((await signIn(app.authorization?.slice(7) as string, id)).response.status).toBe(403);
    expect((await signIn(viewKey, id)).response.status).toBe(403);
    expect((await signIn("hxk_not_a_key", id)).response.status).toBe(401);
    const gone = keyFor(t, "left", "approve");
    revoke(t, "left");
    expect((await signIn(gone, id)).response.status).toBe(401);
    const elsewhere = await postForm("/approvals/sign-in", { key: approveKey, id }, { origin: "https://evil.example" });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.headers.get("set-cookie")).toBeNull();
  });

  it("an approve key signs in (HttpOnly, SameSite=Strict, /approvals only); deny needs a reason; a revoked key ends the session", async () => {
    const { id } = await ask("logs");
    const { cookie, response } = await signIn(approveKey, id);
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`/approvals/${id}`);
    expect(response.headers.get("set-cookie")).toMatch(
      /^hexarch_approve=[^;]+; Path=\/approvals; Max-Age=28800; HttpOnly; SameSite=Strict$/,
    );
    const page = await fetch(`${t.server.url}/approvals/${id}`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Signed in as ada");
    const reasonless = await postForm(`/approvals/${id}/deny`, { reason: " " }, { cookie });
    expect(await reasonless.text()).toContain("Say why you deny it");
    const denied = await postForm(`/approvals/${id}/deny`, { reason: "no backup today" }, { cookie });
    expect(await denied.text()).toContain("You denied this request.");
    expect((await t.get(`/v1/approvals/${id}`, bearer(approveKey))).body).toMatchObject({
      status: "denied",
      decided_by: "ada",
      reason: "no backup today",
    });
    const late = await postForm(`/approvals/${id}/approve`, {}, { cookie });
    expect(late.status).toBe(409);

    const next = await ask("metrics");
    const person = keyFor(t, "bob", "approve");
    const bobs = (await signIn(person, next.id)).cookie;
    revoke(t, "bob");
    expect((await fetch(`${t.server.url}/approvals/${next.id}`, { headers: { cookie: bobs } })).status).toBe(401);
    expect((await postForm(`/approvals/${next.id}/approve`, { by: "Bob" }, { cookie: bobs })).status).toBe(401);
    expect(await status(next.id)).toBe("pending");
  });

  it("a forged cookie, a budgets-page cookie under the approvals name, and a tampered expiry are not sessions", async () => {
    const { id } = await ask("caches");
    const budgets = await fetch(`${t.server.url}/budgets/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: t.server.url },
      body: `key=${encodeURIComponent(keyFor(t, "admin-1", "admin"))}`,
      redirect: "manual",
    });
    const budgetsValue = (budgets.headers.get("set-cookie") ?? "").split(";")[0]?.split("=")[1] as string;
    const { cookie } = await signIn(approveKey, id);
    const [keyId, until, mac] = cookie.split("=")[1]?.split(".") as [string, string, string];
    for (const forged of [
      `hexarch_approve=${budgetsValue}`,
      `hexarch_approve=${keyId}.${Number(until) + 86_400_000}.${mac}`,
      `hexarch_approve=admin.${until}.${mac}`,
      `hexarch_approve=${"x".repeat(5000)}`,
    ])
      expect((await fetch(`${t.server.url}/approvals/${id}`, { headers: { cookie: forged } })).status).toBe(401);
  });
});

describe("a server without keys", () => {
  it("serves the page to the link only, and says how to make a key", async () => {
    const receiver = await startWebhookReceiver();
    const open = await startTestServer(policies(receiver.url));
    try {
      const answer = await open.post("/v1/decisions", { policy: "prod_delete", context: { operation: "delete", resource: "x" } });
      const id = answer.body.approval.id as string;
      const link = new URL((JSON.parse((await receiver.next((body) => body.includes(id))).body) as { url: string }).url);
      const signInPage = await fetch(`${open.server.url}/approvals/${id}`);
      expect(signInPage.status).toBe(401);
      expect(await signInPage.text()).toContain("hexarch keys create --scope approve");
      expect((await fetch(`${open.server.url}${link.pathname}${link.search}`)).status).toBe(200);
    } finally {
      await open.stop();
      await receiver.close();
    }
  });
});
