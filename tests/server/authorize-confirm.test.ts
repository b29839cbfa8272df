// The seed's /authorize answers a call that needs confirmation DENY; it says how to confirm instead of leaving the caller stuck.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./serve-support.js";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.stop());

describe("POST /authorize and confirmation", () => {
  it("does not turn a confirmation into a bare DENY: it says how to confirm through /v1/decisions, and that way works", async () => {
    const authorized = await t.post("/authorize", { action: "delete", resource: "users" });
    expect(authorized.body).toMatchObject({ allowed: false, decision: "DENY", outcome: "confirm" });
    expect(authorized.body.confirm.how).toContain("POST /v1/decisions");
    const asked = await t.post("/v1/decisions", { context: { operation: "delete", resource: "users" } });
    expect(asked.body.outcome).toBe("confirm");
    const confirmed = await t.post("/v1/decisions", {
      context: { operation: "delete", resource: "users" },
      confirm_token: asked.body.confirm.token,
    });
    expect(confirmed.body.outcome).toBe("allow");
  });

  it("says nothing of confirming when the call is simply allowed", async () => {
    const authorized = await t.post("/authorize", { action: "read", resource: "users" });
    expect(authorized.body.allowed).toBe(true);
    expect(authorized.body.confirm).toBeUndefined();
  });
});
