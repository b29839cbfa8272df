// createRemoteGuardian against a real server: the same check/protect/settle as in process, confirm tokens, and outages by fail mode.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRemoteGuardian, PolicyViolation } from "../../src/index.js";
import { SERVER_POLICIES, startTestServer, type TestServer } from "./serve-support.js";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer(`${SERVER_POLICIES}  - id: lenient
    fail: open
    rules:
      - resource: lenient
        requests_per_minute: 5
`);
});
afterAll(() => t.stop());

describe("createRemoteGuardian", () => {
  it("checks, settles and reports counters like the in-process guardian", async () => {
    const guardian = createRemoteGuardian({ url: t.server.url });
    const decision = await guardian.check("spend", { resource: "openai", cost: 3, user: "remote" });
    expect(decision.isAllowed()).toBe(true);
    expect(decision.counters[0]).toMatchObject({ kind: "budget", used: 3, limit: 10 });
    await decision.settle(1);
    const after = await guardian.check("spend", { resource: "openai", cost: 0, user: "remote" }, { dryRun: true });
    expect(after.counters[0]?.used).toBe(1);
  });

  it("protects a function: refuses with PolicyViolation, runs it once confirmed by token", async () => {
    const guardian = createRemoteGuardian({ url: t.server.url });
    let runs = 0;
    const drop = guardian.protect("safe_delete", () => (runs += 1), { context: { operation: "delete" } });
    await expect(drop()).rejects.toBeInstanceOf(PolicyViolation);
    expect(runs).toBe(0);
    const asked = await guardian.check("safe_delete", { operation: "delete" });
    const admitted = await guardian.check("safe_delete", { operation: "delete" }, { confirmToken: asked.confirm?.token as string });
    expect(admitted.outcome).toBe("allow");
  });

  it("follows the policy's fail mode when the server does not answer in time", async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const closed = await createRemoteGuardian({ url, timeoutMs: 100 }).check("spend", { resource: "openai" });
      expect(closed).toMatchObject({ outcome: "error", kind: "store", retryAfter: 5 });
      expect(closed.reason).toContain("no answer within 100 ms");
      const open = await createRemoteGuardian({ url, timeoutMs: 100, fail: "open" }).check("spend", {});
      expect(open.outcome).toBe("warn");
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it("learns each policy's fail mode from the server", async () => {
    const guardian = createRemoteGuardian({ url: t.server.url, timeoutMs: 2000 });
    await guardian.check("lenient", { resource: "lenient" });
    await t.server.close();
    const lenient = await guardian.check("lenient", { resource: "lenient" });
    expect(lenient.outcome).toBe("warn");
    expect((await guardian.check("spend", { resource: "openai" })).outcome).toBe("error");
  });

  it("throws for a request the server calls bad, naming the problem", async () => {
    t = await startTestServer();
    await expect(createRemoteGuardian({ url: t.server.url }).check("nope", {})).rejects.toThrow(
      /refused the request \(400\): no policy with id "nope"/,
    );
  });
});
