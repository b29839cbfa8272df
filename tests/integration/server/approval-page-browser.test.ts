// The approval page in headless Chromium: a call waits for a person; the link from the captured webhook opens the page
// on a phone-sized screen, a person clicks Approve, and the waiting call goes through once. The screenshot of the page
// is kept beside the docs when asked (HEXARCH_WRITE_SCREENSHOTS=1).
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ROOT } from "../../cli/run-hexarch.js";
import { startTestServer, type TestServer } from "../../server/serve-support.js";
import { bearer, keyFor } from "../../attacks/server/attack-support.js";
import { APPROVE_DELETES } from "../../support/approval-policy.js";
import { startWebhookReceiver, type WebhookReceiver } from "../../support/webhook-receiver.js";
import { CHROMIUM, CHROMIUM_ARGS } from "../../support/chromium.js";

/** A port free now, so the policy file's base_url can name the server before it starts. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

let t: TestServer;
let hook: WebhookReceiver;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  hook = await startWebhookReceiver();
  const port = await freePort();
  t = await startTestServer(
    `notify:
  - webhook: "${hook.url}"
approvals:
  base_url: "http://127.0.0.1:${port}"
${APPROVE_DELETES}`,
    { port },
  );
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
  await hook?.close();
});

it("opens the link from the webhook, a click on Approve lets the waiting call through once, and renders to a screenshot", async () => {
  const app = bearer(keyFor(t, "agent", "decide"));
  const call = {
    policy: "prod_delete",
    context: { operation: "delete", resource: "customers", environment: "production", user: "agent-7", facts: { rows: 18204 } },
  };
  const asked = (await t.post("/v1/decisions", call, app)).body;
  expect(asked).toMatchObject({ outcome: "confirm", kind: "approval", approval: { status: "pending" } });
  const id = asked.approval.id as string;

  // The caller retries with the id every 50 ms, as an agent would, until it is let through; it counts its admissions.
  let admittedBeforeClick = 0;
  let clicked = false;
  const waiting = (async () => {
    for (;;) {
      const answer = (await t.post("/v1/decisions", { ...call, approval: id }, app)).body;
      if (answer.allowed === true) {
        if (!clicked) admittedBeforeClick += 1;
        return answer;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();

  const delivery = await hook.next((body) => body.includes(id));
  const link = (JSON.parse(delivery.body) as { url: string }).url;
  expect(link).toMatch(new RegExp(`^${t.server.url}/approvals/${id}\\?key=[A-Za-z0-9_-]{32}$`));

  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.goto(link);
  expect(await page.textContent("h1")).toContain("pending");
  expect(await page.textContent("dl")).toContain("delete on customers");
  expect(await page.textContent("dl")).toContain("18204");
  const shot =
    process.env["HEXARCH_WRITE_SCREENSHOTS"] === "1" ? join(ROOT, "docs/approval-page.png") : join(tmpdir(), "hexarch-approval-page.png");
  expect((await page.screenshot({ path: shot, fullPage: true })).length).toBeGreaterThan(10_000);
  // The page fits a phone: nothing wider than the screen.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

  await page.fill('form[action$="/approve"] input[name="by"]', "Ada Lovelace");
  clicked = true;
  await page.click("button.approve");
  await page.waitForSelector("text=You approved this request.");
  expect(await page.textContent("h1")).toContain("approved");

  const admitted = await waiting;
  expect(admitted).toMatchObject({ outcome: "allow", allowed: true });
  expect(admittedBeforeClick).toBe(0);
  const after = (await t.post("/v1/decisions", { ...call, approval: id }, app)).body;
  expect(after).toMatchObject({ allowed: false, approval: { rejected: "used" } });
  const person = bearer(keyFor(t, "ops", "approve"));
  expect((await t.get(`/v1/approvals/${id}`, person)).body).toMatchObject({ status: "used", decided_by: "Ada Lovelace (signed link)" });

  // The link decided once: opened again, it shows the sign-in form, not the request.
  await page.goto(link);
  expect(await page.locator('input[type="password"]').count()).toBe(1);
  await page.close();
}, 60_000);
