// The budgets page in headless Chromium against a server counting in Redis: sign in, read the bars' numbers, compare them
// with `hexarch budgets --json` at the page's instant, watch it refresh without a reload, and keep a screenshot in docs/.
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runHexarch, ROOT } from "../../cli/run-hexarch.js";
import { startTestServer, type TestServer } from "../../server/serve-support.js";
import { CHROMIUM, CHROMIUM_ARGS } from "../../support/chromium.js";
import { describeWithRedis, redisForTests, uniquePrefix } from "../../support/redis.js";

function policies(prefix: string): string {
  return `store:
  prefix: "${prefix}"
prices:
  gpt-4o: { input_per_mtok: 2.5, output_per_mtok: 10 }
policies:
  - id: ai_spend
    rules:
      - resource: openai
        monthly_budget: 50
        key: user
        timezone: Europe/Paris
        action: "warn_at_80%"
  - id: search
    rules:
      - resource: search
        daily_budget: 2
        cost: 0.25
`;
}

describeWithRedis("the budgets page in a browser", "any", () => {
  let url: string;
  let release: () => Promise<void>;
  let t: TestServer;
  let browser: Browser;
  let decideKey: string;
  let viewKey: string;
  const bearer = () => ({ authorization: `Bearer ${decideKey}` });
  const decide = (context: Record<string, unknown>, policy: string) =>
    t.post("/v1/decisions", { policy, context }, bearer()).then((answer) => answer.body as { id: string });

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
    ({ url, release } = await redisForTests());
    t = await startTestServer(policies(uniquePrefix("budgets-page")), {
      env: { HEXARCH_REDIS_URL: url, HEXARCH_SECRET: "test-secret-of-enough-length-0123" },
    });
    const create = async (scope: string) =>
      (await runHexarch(["keys", "create", "--name", scope, "--scope", scope], { cwd: t.dir })).stdout.trim();
    decideKey = await create("decide");
    viewKey = await create("view");
    t.server.reload();
    // Ada settles one call and leaves one in flight; Bob spends most of his budget; three searches.
    const call = { resource: "openai", model: "gpt-4o", input_tokens: 1_000_000, max_output_tokens: 1_000_000 };
    const settled = await decide({ ...call, user: "ada" }, "ai_spend");
    await t.post(`/v1/decisions/${settled.id}/settle`, { cost: 6.5 }, bearer());
    await decide({ ...call, user: "ada" }, "ai_spend");
    for (let i = 0; i < 3; i++) await decide({ ...call, user: "bob" }, "ai_spend");
    for (let i = 0; i < 3; i++) await decide({ resource: "search" }, "search");
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await release?.();
  });

  it("shows what hexarch budgets --json reports, refreshes without a reload, and renders to a screenshot (docs/budgets-page.png when asked)", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 560 } });
    await page.goto(`${t.server.url}/budgets`);
    await page.fill('input[name="key"]', viewKey);
    await page.click("button");
    await page.waitForSelector("#rows tr");
    const at = await page.textContent("#at");
    const shown = await page.$$eval("#rows tr", (rows) =>
      rows.map((row) => {
        const text = (cls: string) => row.querySelector(`td.${cls}`)?.textContent ?? "";
        return {
          key: text("key"),
          spent: text("spent"),
          reserved: text("reserved"),
          limit: text("limit"),
          burn: text("burn"),
          projected: text("projected"),
        };
      }),
    );
    const cli = await runHexarch(["budgets", "--json", "--at", at ?? ""], { cwd: t.dir, env: { HEXARCH_REDIS_URL: url } });
    expect(cli.code).toBe(0);
    const rows = (
      JSON.parse(cli.stdout) as {
        budgets: { key: string; spent: number; reserved: number; limit: number; burnPerDay: number; projected: number }[];
      }
    ).budgets;
    const amount = (v: number) => String(Number(v.toFixed(6)));
    expect(shown).toEqual(
      rows.map((r) => ({
        key: r.key,
        spent: amount(r.spent),
        reserved: amount(r.reserved),
        limit: amount(r.limit),
        burn: `${amount(r.burnPerDay)}/day`,
        projected: amount(r.projected),
      })),
    );
    expect(shown.map((r) => [r.key, r.spent, r.reserved])).toEqual([
      ["ada", "6.5", "12.5"],
      ["bob", "0", "37.5"],
      ["*", "0.75", "0"],
    ]);
    expect(await page.$$eval("line.warn", (lines) => lines.map((l) => l.getAttribute("x1")))).toEqual(["80", "80"]);
    expect(await page.textContent("#rows tr:first-child td.resets")).toMatch(/\(Europe\/Paris\)$/);

    // A call made while the page is open shows within a refresh (5 s), in the same document.
    const before = await page.evaluate(() => performance.timeOrigin);
    await decide({ resource: "search" }, "search");
    await page.waitForFunction(() => document.querySelector("#rows tr:last-child td.spent")?.textContent === "1", undefined, {
      timeout: 12_000,
    });
    expect(await page.evaluate(() => performance.timeOrigin)).toBe(before);

    // The screenshot in docs/ is rewritten only when asked (HEXARCH_WRITE_SCREENSHOTS=1), so a test run leaves the tree
    // as it found it; otherwise it goes to the temporary folder, which still proves the page renders to an image.
    const shot =
      process.env["HEXARCH_WRITE_SCREENSHOTS"] === "1" ? join(ROOT, "docs/budgets-page.png") : join(tmpdir(), "hexarch-budgets-page.png");
    expect((await page.screenshot({ path: shot })).length).toBeGreaterThan(10_000);
    await page.close();
  }, 60_000);
});
