// A warning decision over the API names the policy that warned, as a refusal names the policy that refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./serve-support.js";

const WARNING = `policies:
  - id: spend_watch
    rules:
      - resource: openai
        daily_budget: 10
        action: warn_at_50%
`;

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer(WARNING);
});
afterAll(() => t.stop());

describe("a warn outcome over POST /v1/decisions", () => {
  it("does not answer policy: null for the budget warning it gives", async () => {
    const answer = await t.post("/v1/decisions", { context: { resource: "openai", cost: 6 } });
    expect(answer.body.outcome).toBe("warn");
    expect(answer.body.policy).toBe("spend_watch");
    expect(answer.body.warnings[0].policy).toBe("spend_watch");
  });
});
