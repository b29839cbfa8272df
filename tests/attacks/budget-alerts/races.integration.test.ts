// Budget alerts on a shared Redis: four guardians, each on its own connection, race 400 calls past the threshold.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createGuardian, type Guardian, type Notifier, type NotifyEvent } from "../../../src/index.js";
import { describeWithRedis, redisForTests, uniquePrefix } from "../../support/redis.js";

const POLICY = `
policies:
  - id: ai_spend
    rules:
      - resource: llm
        daily_budget: 100
        key: user
        action: "warn_at_80%"
`;

const quiet = { info() {}, warn() {}, error() {} };

describeWithRedis("budget alerts across processes sharing Redis", "any", () => {
  let url: string;
  let release: () => Promise<void>;
  const events: NotifyEvent[] = [];
  const notifier: Notifier = { send: (event) => void events.push(event), close: async () => {} };
  const guardians: Guardian[] = [];
  const prefix = `${uniquePrefix("alerts")}:`;
  const guardian = (): Guardian => {
    const made = createGuardian({ policyText: POLICY, env: { HEXARCH_REDIS_URL: url }, prefix, notifier, logger: quiet });
    guardians.push(made);
    return made;
  };

  beforeAll(async () => ({ url, release } = await redisForTests()));
  afterAll(async () => {
    await Promise.all(guardians.map((g) => g.close()));
    await release();
  });

  it("sends one budget.warning and one budget.exhausted for 400 concurrent calls from 4 guardians; a restart sends none", async () => {
    const four = [guardian(), guardian(), guardian(), guardian()];
    // 400 calls of 0.3 against 100: the 267th passes 80, the 334th is the first refused.
    const decisions = await Promise.all(
      Array.from({ length: 400 }, (_, i) => (four[i % 4] as Guardian).check("ai_spend", { resource: "llm", user: "ada", cost: 0.3 })),
    );
    const outcomes = decisions.map((d) => d.outcome);
    expect(outcomes.filter((o) => o === "limit")).toHaveLength(400 - 333);
    await waitFor(() => events.length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(events.map((e) => [e.type, e.key]).sort()).toEqual([
      ["budget.exhausted", "ada"],
      ["budget.warning", "ada"],
    ]);

    // A restarted process finds both claimed in Redis.
    const restarted = guardian();
    await restarted.check("ai_spend", { resource: "llm", user: "ada", cost: 0.3 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(events).toHaveLength(2);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
}
