// Approvals over the decision server: the agent's retries never pass, a decide key never approves, an approve key does.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../server/serve-support.js";
import { bearer, keyFor } from "../server/attack-support.js";

const POLICIES = `approvals:
  base_url: "https://guard.example.com"
logging:
  file: decisions.log
policies:
  - id: prod_delete
    rules:
      - operation: delete
        action: require_approval
`;

const RETRIES = 1000;
const DROP = { policy: "prod_delete", context: { operation: "delete", resource: "users" } };

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

async function keyedServer(): Promise<{
  t: TestServer;
  app: Record<string, string>;
  person: Record<string, string>;
  admin: Record<string, string>;
}> {
  // The agent's thousand retries come faster than the server's own 1,000-a-second caller limit on a quiet machine: its
  // 429s would hide the approval answers these tests read.
  t = await startTestServer(POLICIES, { callerLimit: 0 });
  return {
    t,
    app: bearer(keyFor(t, "app", "decide")),
    person: bearer(keyFor(t, "ada", "approve")),
    admin: bearer(keyFor(t, "root", "admin")),
  };
}

describe("approvals over POST /v1/decisions", () => {
  it(`an agent retrying with whatever it got ${RETRIES} times is never allowed until a person approves, then exactly once`, async () => {
    const { t, app, person } = await keyedServer();
    let last = (await t.post("/v1/decisions", DROP, app)).body;
    expect(last).toMatchObject({ outcome: "confirm", kind: "approval", allowed: false, approval: { status: "pending" } });
    const id = last.approval.id as string;
    let allowed = 0;
    for (let i = 0; i < RETRIES; i++) {
      last = (await t.post("/v1/decisions", { ...DROP, approval: last.approval?.id ?? id, confirm_token: last.confirm?.token }, app)).body;
      if (last.allowed === true) allowed += 1;
    }
    expect(allowed).toBe(0);
    expect(last.approval).toMatchObject({ id, status: "pending" });
    // The app's key cannot approve its own request.
    expect((await t.post(`/v1/approvals/${id}/approve`, {}, app)).status).toBe(403);
    const listed = await t.get("/v1/approvals", person);
    expect(listed.body.approvals.map((a: { id: string }) => a.id)).toEqual([id]);
    const approved = await t.post(`/v1/approvals/${id}/approve`, { by: "Ada" }, person);
    expect(approved.body).toMatchObject({ id, status: "approved", decided_by: "Ada (key ada)" });
    for (let i = 0; i < RETRIES; i++) {
      const answer = (await t.post("/v1/decisions", { ...DROP, approval: id }, app)).body;
      if (answer.allowed === true) allowed += 1;
      else expect(answer).toMatchObject({ approval: { rejected: "used" } });
    }
    expect(allowed).toBe(1);
    expect((await t.post(`/v1/approvals/${id}/approve`, {}, person)).status).toBe(409);
  }, 120_000);

  it("denied: the answer names who and why; the log holds every step", async () => {
    const { t, app, admin } = await keyedServer();
    const id = (await t.post("/v1/decisions", DROP, app)).body.approval.id as string;
    expect((await t.post(`/v1/approvals/${id}/deny`, {}, admin)).status).toBe(400);
    expect((await t.post(`/v1/approvals/${id}/deny`, { reason: "no backup" }, admin)).body).toMatchObject({ status: "denied" });
    const denied = (await t.post("/v1/decisions", { ...DROP, approval: id }, app)).body;
    expect(denied).toMatchObject({
      outcome: "deny",
      kind: "approval",
      approval: { status: "denied", decided_by: "root", reason: "no backup" },
    });
    expect(denied.reason).toMatch(/root denied it: no backup/);
    await t.server.close();
    const steps = readFileSync(join(t.dir, "decisions.log"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; step?: string; by?: string })
      .filter((record) => record.type === "approval")
      .map((record) => `${record.step ?? ""}${record.by === undefined ? "" : ` by ${record.by}`}`);
    expect(steps).toEqual(["requested", "denied by root"]);
  });

  it("an open server (no keys) and the dev token never approve; unknown ids are 404", async () => {
    t = await startTestServer(POLICIES);
    const id = (await t.post("/v1/decisions", DROP)).body.approval.id as string;
    const open = await t.post(`/v1/approvals/${id}/approve`, {});
    expect(open.status).toBe(403);
    expect(open.body.detail).toMatch(/approve \(or admin\) scope/);
    expect((await t.get("/v1/approvals")).status).toBe(403);
    await t.stop();
    t = await startTestServer(POLICIES, { apiToken: "dev-token-of-enough-length-0123456789" });
    const dev = bearer("dev-token-of-enough-length-0123456789");
    const devId = (await t.post("/v1/decisions", DROP, dev)).body.approval.id as string;
    expect((await t.post(`/v1/approvals/${devId}/approve`, {}, dev)).status).toBe(403);
    const person = bearer(keyFor(t, "ada", "approve"));
    expect((await t.post("/v1/approvals/ap_AAAAAAAAAAAAAAAAAAAAAA/approve", {}, person)).status).toBe(404);
    expect((await t.post("/v1/approvals/..%2f..%2fkeys/approve", {}, person)).status).toBe(404);
    // An approve key decides nothing.
    expect((await t.post("/v1/decisions", DROP, person)).status).toBe(403);
  });
});
