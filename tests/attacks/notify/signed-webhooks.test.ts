// Notifications: signed so that an independent HMAC (Python's hmac) verifies them, and a tampered or old one fails.
import { execFileSync } from "node:child_process";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { createGuardian } from "../../../src/index.js";
import { createNotifier } from "../../../src/notify/create-notifier.js";
import { verifySignature } from "../../../src/notify/signature.js";

const SECRET = "notify-test-secret-0123456789abcdef";

/** The receiver in Python, with nothing but its standard library: prints ok or bad for (secret, header, body, now). */
const PYTHON_VERIFY = `
import hmac, hashlib, sys
secret, header, body, now = sys.argv[1], sys.argv[2], sys.stdin.read(), int(sys.argv[3])
fields = dict(part.split("=", 1) for part in header.split(","))
t = int(fields["t"])
expected = hmac.new(secret.encode(), f"{t}.{body}".encode(), hashlib.sha256).hexdigest()
fresh = abs(now - t) <= 300
print("ok" if fresh and hmac.compare_digest(expected, fields["v1"]) else "bad")
`;

function pythonVerifies(header: string, body: string, now = Math.floor(Date.now() / 1000)): boolean {
  return (
    execFileSync("python3", ["-c", PYTHON_VERIFY, SECRET, header, String(now)], { input: body })
      .toString()
      .trim() === "ok"
  );
}

interface Captured {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve()))));

/** A receiver that answers each request with the next status of `statuses` (then 204), keeping what it got. */
async function receiver(statuses: number[] = []): Promise<{ url: string; got: Captured[]; next: () => Promise<Captured> }> {
  const got: Captured[] = [];
  const waiting: ((c: Captured) => void)[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const captured = { headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      got.push(captured);
      waiting.shift()?.(captured);
      res.writeHead(statuses.shift() ?? 204).end();
    });
  }).listen(0, "127.0.0.1");
  await new Promise((resolve) => server?.once("listening", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hexarch`,
    got,
    next: () => new Promise((resolve) => waiting.push(resolve)),
  };
}

describe("approval requests sent to notify: targets", () => {
  it("a new request is POSTed as signed JSON with the link; Python's hmac verifies it; a tampered body or old stamp fails", async () => {
    const hook = await receiver();
    const guardian = createGuardian({
      policyText: `notify:\n  - webhook: "${hook.url}"\napprovals:\n  base_url: "https://guard.example.com"\npolicies:\n  - id: prod_delete\n    rules:\n      - operation: delete\n        action: require_approval\n`,
      env: { HEXARCH_SECRET: SECRET },
    });
    const delivered = hook.next();
    const decision = await guardian.check("prod_delete", { operation: "delete", resource: "users" });
    const { headers, body } = await delivered;
    const event = JSON.parse(body) as { type: string; url: string; approval: { id: string; url: string } };
    expect(event.type).toBe("approval.requested");
    expect(event.approval.id).toBe(decision.approval?.id);
    expect(event.url).toMatch(new RegExp(`^https://guard\\.example\\.com/approvals/${event.approval.id}\\?key=[A-Za-z0-9_-]{32}$`));
    // The link key is in the notification only, never in what the refused caller got.
    expect(decision.approval?.url).toBe(`https://guard.example.com/approvals/${event.approval.id}`);
    const header = headers["hexarch-signature"] as string;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(pythonVerifies(header, body)).toBe(true);
    expect(pythonVerifies(header, body.replace("prod_delete", "prod_delefe"))).toBe(false);
    expect(pythonVerifies(header, body, Math.floor(Date.now() / 1000) + 3600)).toBe(false);
    const now = Math.floor(Date.now() / 1000);
    expect(verifySignature(SECRET, body, header, now)).toBe(true);
    expect(verifySignature(SECRET, `${body} `, header, now)).toBe(false);
    expect(verifySignature("another-secret-of-enough-length", body, header, now)).toBe(false);
    expect(verifySignature(SECRET, body, header, now + 301)).toBe(false);
    // The same call again is the same request: no second notification.
    await guardian.check("prod_delete", { operation: "delete", resource: "users" });
    await guardian.close();
    expect(hook.got).toHaveLength(1);
  });

  it("retries with backoff until the target answers, and never makes send() wait or throw", async () => {
    const hook = await receiver([500, 503]);
    const drops: string[] = [];
    const notifier = createNotifier([{ webhook: hook.url, secret: SECRET }], { backoffMs: 20, onDrop: (_n, cause) => drops.push(cause) });
    const started = performance.now();
    notifier.send({ type: "approval.requested", n: 1 });
    expect(performance.now() - started).toBeLessThan(20);
    await notifier.close();
    expect(hook.got.map((c) => JSON.parse(c.body) as unknown)).toEqual([
      { type: "approval.requested", n: 1 },
      { type: "approval.requested", n: 1 },
      { type: "approval.requested", n: 1 },
    ]);
    expect(drops).toEqual([]);
  });

  it("drops past the queue's bound and after the last try, counting each", async () => {
    const drops: string[] = [];
    const notifier = createNotifier([{ webhook: "http://127.0.0.1:9/closed", secret: SECRET }], {
      maxQueue: 2,
      attempts: 2,
      backoffMs: 5,
      onDrop: (_n, cause) => drops.push(cause),
    });
    for (let i = 0; i < 10; i++) notifier.send({ type: "budget.alert", i });
    expect(drops.filter((cause) => cause === "queue-full").length).toBeGreaterThanOrEqual(4);
    await notifier.close();
    expect(drops.length).toBe(10);
    expect(() => notifier.send({ type: "after.close" })).not.toThrow();
  });

  it("a Slack incoming-webhook URL gets a message Slack renders, with the link", async () => {
    const sent: { url: string; body: string }[] = [];
    const fakeFetch = (async (url: string, init: { body: string }) => {
      sent.push({ url, body: init.body });
      return new Response(null, { status: 200 });
    }) as unknown as typeof fetch;
    const notifier = createNotifier([{ webhook: "https://hooks.slack.com/services/T000/B000/XXXX" }], { fetch: fakeFetch, secret: SECRET });
    notifier.send({
      type: "approval.requested",
      policy: "prod_delete",
      subject: { reason: "Policy 'prod_delete' requires a person's approval <b>", method: "DELETE", path: "/tables/users" },
      url: "https://guard.example.com/approvals/ap_x?key=k",
    });
    await notifier.close();
    const message = JSON.parse(sent[0]?.body ?? "{}") as { text: string };
    expect(message.text).toContain("DELETE /tables/users");
    expect(message.text).toContain("<https://guard.example.com/approvals/ap_x?key=k|Approve or deny>");
    expect(message.text).toContain("&lt;b&gt;");
  });
});
