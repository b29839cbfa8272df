// `hexarch budgets` against a real Redis: what an app spent and reserved, per key, as a table and as JSON.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { createGuardian } from "../../../src/index.js";
import { runHexarch, tempProject } from "../../cli/run-hexarch.js";
import { describeWithRedis, redisForTests, uniquePrefix } from "../../support/redis.js";

/** Half way through December (15.5 of 31 days) and half way through the 16th. */
const AT = "2026-12-16T12:00:00Z";

function policy(prefix: string): string {
  return `
store:
  prefix: "${prefix}"
prices:
  gpt-4o: { input_per_mtok: 2.5, output_per_mtok: 10 }
policies:
  - id: ai_spend
    rules:
      - resource: openai
        monthly_budget: 10
        key: user
  - id: fixed
    rules:
      - resource: search
        daily_budget: 1
        cost: 0.25
`;
}

describeWithRedis("hexarch budgets", "any", () => {
  let url: string;
  let release: () => Promise<void>;
  let project: ReturnType<typeof tempProject> | undefined;

  beforeAll(async () => ({ url, release } = await redisForTests()));
  afterAll(async () => release());
  afterEach(() => project?.remove());

  it("prints each budget's spent, reserved, remaining, burn rate and projection per key", async () => {
    project = tempProject();
    const text = policy(uniquePrefix("budgets-cli"));
    writeFileSync(join(project.dir, "hexarch.yaml"), text);
    // The app: Ada settles one call and leaves one in flight; Bob leaves one in flight; two fixed-cost searches.
    const app = createGuardian({ policyText: text, env: { HEXARCH_REDIS_URL: url }, clock: () => Date.parse(AT) });
    const call = { resource: "openai", model: "gpt-4o", inputTokens: 100_000, maxOutputTokens: 100_000 };
    const settled = await app.check("ai_spend", { ...call, user: "ada" });
    await settled.settle({ prompt_tokens: 100_000, completion_tokens: 50_000 });
    await app.check("ai_spend", { ...call, user: "ada" });
    await app.check("ai_spend", { ...call, user: "bob" });
    await app.check("fixed", { resource: "search" });
    await app.check("fixed", { resource: "search" });
    await app.close();

    const run = await runHexarch(["budgets", "--at", AT], { cwd: project.dir, env: { HEXARCH_REDIS_URL: url } });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines[1]).toMatch(/^BUDGET\s+PERIOD\s+KEY\s+SPENT\s+RESERVED\s+REMAINING\s+LIMIT\s+BURN\s+PROJECTED$/);
    // Ada: 0.75 settled + 1.25 reserved = 2 in half the month: 2 / 15.5 a day, twice as much by its end.
    expect(lines[2]?.split(/\s{2,}/)).toEqual(["ai_spend#0", "month 2026-12", "ada", "0.75", "1.25", "8", "10", "0.129032/day", "4"]);
    expect(lines[3]?.split(/\s{2,}/)).toEqual(["ai_spend#0", "month 2026-12", "bob", "0", "1.25", "8.75", "10", "0.080645/day", "2.5"]);
    expect(lines[4]?.split(/\s{2,}/)).toEqual(["fixed#0", "day 2026-12-16", "*", "0.5", "0", "0.5", "1", "1/day", "1"]);

    const json = await runHexarch(["budgets", "--at", AT, "--json", "--redis-url", url], { cwd: project.dir });
    const report = JSON.parse(json.stdout) as { budgets: { key: string; spent: number; reserved: number; periodEndsAt: string }[] };
    expect(report.budgets.map((b) => [b.key, b.spent, b.reserved])).toEqual([
      ["ada", 0.75, 1.25],
      ["bob", 0, 1.25],
      ["*", 0.5, 0],
    ]);
    expect(report.budgets[0]?.periodEndsAt).toBe("2027-01-01T00:00:00.000Z");
  });

  it("refuses to run without a Redis, saying why memory counters are out of reach", async () => {
    project = tempProject();
    writeFileSync(join(project.dir, "hexarch.yaml"), "policies:\n  - id: b\n    rules:\n      - resource: x\n        daily_budget: 1\n");
    const run = await runHexarch(["budgets"], { cwd: project.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Counters in memory live inside the running app and cannot be read from outside it");
  });
});
