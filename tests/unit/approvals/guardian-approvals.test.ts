// require_approval through check(), protect() and guardian.approvals: pending until a person decides, then admitted once.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createGuardian, PolicyConfigError, PolicyViolation, type Guardian } from "../../../src/index.js";

const POLICY = `
approvals:
  base_url: "https://guard.example.com"
policies:
  - id: prod_delete
    rules:
      - operation: delete
        environments: [production]
        action: require_approval
        approval_ttl: 60
`;

function guardian(options: { clock?: () => number; text?: string } = {}): Guardian {
  return createGuardian({
    policyText: options.text ?? POLICY,
    environment: "production",
    ...(options.clock ? { clock: options.clock } : {}),
  });
}

const DROP = { operation: "delete", resource: "users", client: "203.0.113.9" };

describe("require_approval in the policy file", () => {
  it("is an action, with approval_ttl beside it only", () => {
    expect(() => guardian()).not.toThrow();
    const misplaced = `
policies:
  - id: p
    rules:
      - operation: delete
        action: require_confirmation
        approval_ttl: 60
`;
    expect(() => guardian({ text: misplaced })).toThrow(/approval_ttl only applies to a rule with action: require_approval/);
    const typo = POLICY.replace("action: require_approval", "action: require_aproval");
    expect(() => guardian({ text: typo })).toThrow(PolicyConfigError);
    expect(() => guardian({ text: typo })).toThrow(/did you mean "require_approval"/);
  });
});

describe("check() and protect() under require_approval", () => {
  it("refuses with a pending request, the same one for the same call, and nothing the caller states lets it through", async () => {
    const g = guardian();
    const first = await g.check("prod_delete", DROP);
    expect(first.outcome).toBe("confirm");
    expect(first.kind).toBe("approval");
    expect(first.approval).toMatchObject({ status: "pending", url: `https://guard.example.com/approvals/${first.approval?.id ?? ""}` });
    const again = await g.check("prod_delete", { ...DROP, confirm: true });
    expect(again.outcome).toBe("confirm");
    expect(again.approval?.id).toBe(first.approval?.id);
    const withId = await g.check("prod_delete", { ...DROP, confirm: ["prod_delete"], approval: first.approval?.id ?? "" });
    expect(withId.outcome).toBe("confirm");
    expect(withId.approval?.status).toBe("pending");
    expect((await g.check("prod_delete", { ...DROP, operation: "read" })).outcome).toBe("allow");
  });

  it("after a person approves, runs the protected function exactly once for that request", async () => {
    const g = guardian();
    let runs = 0;
    const drop = g.protect("prod_delete", () => ++runs, { context: DROP });
    const refusal = await drop().catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(PolicyViolation);
    const { approval } = refusal as PolicyViolation;
    expect(approval?.status).toBe("pending");
    const id = approval?.id ?? "";
    const retry = g.protect("prod_delete", () => ++runs, { context: { ...DROP, approval: id } });
    for (let i = 0; i < 5; i++) await expect(retry()).rejects.toMatchObject({ approval: { id, status: "pending" } });
    expect(runs).toBe(0);
    const approved = await g.approvals.approve(id, { by: "ada" });
    expect(approved).toMatchObject({ id, status: "approved", decided_by: "ada", policy: "prod_delete" });
    expect(await retry()).toBe(1);
    const later = await retry().catch((error: unknown) => error);
    expect((later as PolicyViolation).approval).toMatchObject({ rejected: "used", status: "pending" });
    expect((later as PolicyViolation).approval?.id).not.toBe(id);
    expect(runs).toBe(1);
  });

  it("an approval admits only the call it was asked for", async () => {
    const g = guardian();
    const asked = await g.check("prod_delete", DROP);
    const id = asked.approval?.id ?? "";
    await g.approvals.approve(id, { by: "ada" });
    const other = await g.check("prod_delete", { ...DROP, resource: "orders", approval: id });
    expect(other.outcome).toBe("confirm");
    expect(other.approval?.rejected).toBe("another-call");
    expect(other.approval?.id).not.toBe(id);
    const forged = await g.check("prod_delete", { ...DROP, approval: "ap_AAAAAAAAAAAAAAAAAAAAAA" });
    expect(forged.approval?.rejected).toBe("another-call");
    expect((await g.check("prod_delete", { ...DROP, approval: id })).outcome).toBe("allow");
  });

  it("denied: refused with 403's outcome, naming who denied and why", async () => {
    const g = guardian();
    const id = (await g.check("prod_delete", DROP)).approval?.id ?? "";
    await g.approvals.deny(id, { by: "grace", reason: "no backup yet" });
    for (const ctx of [DROP, { ...DROP, approval: id }]) {
      const denied = await g.check("prod_delete", ctx);
      expect(denied.outcome).toBe("deny");
      expect(denied.reason).toMatch(/grace denied it: no backup yet/);
      expect(denied.approval).toMatchObject({ id, status: "denied", decided_by: "grace", reason: "no backup yet" });
    }
    await expect(g.approvals.approve(id, { by: "mallory" })).rejects.toMatchObject({ code: "HEXARCH_APPROVAL_DECIDED" });
  });

  it("expired: a fresh request, and the old id says expired", async () => {
    let now = Date.parse("2026-12-07T10:00:00Z");
    const g = guardian({ clock: () => now });
    const id = (await g.check("prod_delete", DROP)).approval?.id ?? "";
    await g.approvals.approve(id, { by: "ada" });
    now += 61_000;
    const late = await g.check("prod_delete", { ...DROP, approval: id });
    expect(late.outcome).toBe("confirm");
    expect(late.approval?.rejected).toBe("expired");
    expect(late.approval?.id).not.toBe(id);
    expect((await g.approvals.get(id))?.status).toBe("expired");
  });

  it("list() names every pending request; wait() returns once a person decided, or at its timeout", async () => {
    const g = guardian();
    const a = (await g.check("prod_delete", DROP)).approval?.id ?? "";
    const b = (await g.check("prod_delete", { ...DROP, resource: "orders" })).approval?.id ?? "";
    expect((await g.approvals.list()).map((r) => r.id)).toEqual([a, b]);
    expect((await g.approvals.list())[0]?.subject).toMatchObject({ operation: "delete", resource: "users", client: "203.0.113.9" });
    const timedOut = await g.approvals.wait(a, { timeoutMs: 50 });
    expect(timedOut.status).toBe("pending");
    const waiting = g.approvals.wait(a, { timeoutMs: 5000 });
    setTimeout(() => void g.approvals.approve(a, { by: "ada" }), 30);
    expect((await waiting).status).toBe("approved");
    expect((await g.approvals.list()).map((r) => r.id)).toEqual([b]);
    await expect(g.approvals.wait("ap_nope", { timeoutMs: 10 })).rejects.toMatchObject({ code: "HEXARCH_APPROVAL_UNKNOWN" });
  });

  it("wait() returns the pending request as soon as its signal aborts, long before its timeout", async () => {
    const g = guardian();
    const id = (await g.check("prod_delete", DROP)).approval?.id ?? "";
    const controller = new AbortController();
    const started = Date.now();
    const waiting = g.approvals.wait(id, { timeoutMs: 10_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect(await waiting).toMatchObject({ id, status: "pending" });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("writes every step into the decision log: requested, approved (by), used, denied (by, why), expired", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hexarch-approvals-log-"));
    let now = Date.now();
    const g = createGuardian({
      policyText: `${POLICY}\nlogging:\n  file: ${join(dir, "log.jsonl")}\n`,
      environment: "production",
      cwd: dir,
      clock: () => now,
    });
    const a = (await g.check("prod_delete", DROP)).approval?.id ?? "";
    await g.approvals.approve(a, { by: "ada" });
    await g.check("prod_delete", { ...DROP, approval: a });
    const b = (await g.check("prod_delete", { ...DROP, resource: "orders" })).approval?.id ?? "";
    await g.approvals.deny(b, { by: "grace", reason: "not today" });
    const c = (await g.check("prod_delete", { ...DROP, resource: "carts" })).approval?.id ?? "";
    now += 61_000;
    await g.approvals.get(c);
    await g.close();
    const steps = readFileSync(join(dir, "log.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((record) => record["type"] === "approval")
      .map((record) => [record["id"], record["step"], record["by"], record["reason"]]);
    expect(steps).toEqual([
      [a, "requested", undefined, undefined],
      [a, "approved", "ada", undefined],
      [a, "used", undefined, undefined],
      [b, "requested", undefined, undefined],
      [b, "denied", "grace", "not today"],
      [c, "requested", undefined, undefined],
      [c, "expired", undefined, undefined],
    ]);
  });
});
