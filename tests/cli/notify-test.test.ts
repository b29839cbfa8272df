// `hexarch notify test` sends a signed sample of each event to every notify: target and says which answered.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifySignature } from "../../src/notify/signature.js";
import { runHexarch, tempProject } from "./run-hexarch.js";

const SECRET = "a-notify-secret-of-thirty-two-chars!";
const received: { body: string; signature: string | undefined }[] = [];
let receiver: Server;
let url: string;
const project = tempProject();

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({ body: Buffer.concat(chunks).toString(), signature: req.headers["hexarch-signature"] as string | undefined });
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  project.remove();
  await new Promise((resolve) => receiver.close(resolve));
});

function policyWith(targets: readonly string[]): void {
  const notify = targets.map((target) => `  - webhook: "${target}"\n`).join("");
  writeFileSync(
    join(project.dir, "hexarch.yaml"),
    `notify:\n${notify}approvals:\n  base_url: "https://guard.example.com/"\npolicies:\n  - id: api\n    rules:\n      - requests_per_minute: 10\n`,
  );
}

describe("hexarch notify test", () => {
  it("sends approval.requested, budget.warning and budget.exhausted, each signed with HEXARCH_SECRET, and exits 0", async () => {
    policyWith([url]);
    received.length = 0;
    const run = await runHexarch(["notify", "test"], { cwd: project.dir, env: { HEXARCH_SECRET: SECRET } });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const types = received.map(({ body }) => (JSON.parse(body) as { type: string; test: boolean }).type).sort();
    expect(types).toEqual(["approval.requested", "budget.exhausted", "budget.warning"]);
    const now = Math.floor(Date.now() / 1000);
    for (const { body, signature } of received) {
      expect(verifySignature(SECRET, body, signature, now)).toBe(true);
      expect((JSON.parse(body) as { test: boolean }).test).toBe(true);
    }
    const warning = JSON.parse(received.find(({ body }) => body.includes("budget.warning"))?.body ?? "{}") as { page?: string };
    expect(warning.page).toBe("https://guard.example.com/budgets");
    expect(run.stdout.split("\n").filter((line) => line.startsWith("sent"))).toHaveLength(3);
  });

  it("does not report success for a target that does not answer: exit 1, the failure named, no secret path printed", async () => {
    policyWith([url, "http://127.0.0.1:1/secret-path-token"]);
    received.length = 0;
    const run = await runHexarch(["notify", "test"], { cwd: project.dir, env: { HEXARCH_SECRET: SECRET } });
    expect(run.code).toBe(1);
    expect(received).toHaveLength(3);
    expect(run.stdout.split("\n").filter((line) => line.startsWith("failed"))).toHaveLength(3);
    expect(run.stdout).toContain("http://127.0.0.1:1");
    expect(run.stdout).not.toContain("secret-path-token");
  });

  it("does not send anything from a file without notify: targets, and says how to add one (exit 2)", async () => {
    writeFileSync(join(project.dir, "hexarch.yaml"), "policies:\n  - id: api\n    rules:\n      - requests_per_minute: 10\n");
    const run = await runHexarch(["notify", "test"], { cwd: project.dir, env: {} });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("no notify: targets");
  });
});
