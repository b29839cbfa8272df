// /metrics says whether the decision log is up only where there is a log: a 0 for an absent log is a false alarm.
import { afterEach, describe, expect, it } from "vitest";
import { SERVER_POLICIES, startTestServer, type TestServer } from "./serve-support.js";

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe("hexarch_log_up", () => {
  it("is absent when no decision log is configured, instead of a 0 that pages someone", async () => {
    t = await startTestServer(SERVER_POLICIES);
    const { status, body } = await t.get("/metrics");
    expect(status).toBe(200);
    expect(body).toContain("hexarch_decisions_total");
    expect(body).not.toContain("hexarch_log_up");
  });

  it("reads 1 while the configured log accepts records", async () => {
    t = await startTestServer(`${SERVER_POLICIES}logging:\n  file: decisions.log\n`);
    const { body } = await t.get("/metrics");
    expect(body).toMatch(/^hexarch_log_up 1$/m);
  });
});
