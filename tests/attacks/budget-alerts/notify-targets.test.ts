// Budget alerts reach the policy file's own notify: targets (the approvals' notifier), signed, with the budgets page
// under approvals.base_url: no notifier option needed.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createGuardian } from "../../../src/index.js";
import { verifySignature } from "../../../src/notify/signature.js";

const SECRET = "budget-alert-secret-of-32-chars!!";
const bodies: { body: string; signature: string | undefined }[] = [];
let receiver: Server;
let url: string;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      bodies.push({ body: Buffer.concat(chunks).toString(), signature: req.headers["hexarch-signature"] as string | undefined });
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`;
});
afterAll(() => new Promise((resolve) => receiver.close(resolve)));

it("does not leave budget alerts without a target when the policy file names notify: targets", async () => {
  const guardian = createGuardian({
    policyText: `notify:\n  - webhook: "${url}"\napprovals:\n  base_url: "https://guard.example.com"\npolicies:\n  - id: ai_spend\n    rules:\n      - resource: llm\n        daily_budget: 10\n        key: user\n        action: "warn_at_80%"\n`,
    env: { HEXARCH_SECRET: SECRET },
    logger: { info() {}, warn() {}, error() {} },
  });
  for (let i = 0; i < 11; i++) await guardian.check("ai_spend", { resource: "llm", user: "ada", cost: 1 });
  await new Promise((resolve) => setTimeout(resolve, 50));
  await guardian.close();
  const events = bodies.map(({ body }) => JSON.parse(body) as { type: string; key: string; page?: string });
  expect(events.map((event) => event.type).sort()).toEqual(["budget.exhausted", "budget.warning"]);
  expect(events.every((event) => event.key === "ada" && event.page === "https://guard.example.com/budgets")).toBe(true);
  const now = Math.floor(Date.now() / 1000);
  expect(bodies.every(({ body, signature }) => verifySignature(SECRET, body, signature, now))).toBe(true);
});
