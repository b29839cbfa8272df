// A server whose decision log file does not exist yet (no decision since it started) reads it as empty, never as a 500.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createKey, keysFileFor } from "../../src/server/api-keys.js";
import { SERVER_POLICIES, startTestServer, type TestServer } from "./serve-support.js";

let t: TestServer;
let admin: string;

beforeAll(async () => {
  t = await startTestServer(`${SERVER_POLICIES}logging:\n  file: decisions.log\n`, { callerLimit: 0 });
  admin = createKey(keysFileFor(t.policyFile), "ops", ["admin"]).key;
  t.server.reload();
});
afterAll(() => t?.stop());

it("does not answer 500 for the budgets page's data or the decision list before the log file is written", async () => {
  for (const path of ["/budgets/data", "/v1/decisions"]) {
    const answer = await fetch(`${t.server.url}${path}`, { headers: { authorization: `Bearer ${admin}` } });
    expect(answer.status, path).toBe(200);
  }
});
