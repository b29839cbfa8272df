// The baseline of the serve bench: a hono app with no middleware at all, answering POST /v1/decisions with a parsed body
// and a small JSON answer, on @hono/node-server as `hexarch serve` runs; prints its port. With the argument `answer`,
// the same app answers as the decision server does on the wire (its header fields, a request id, a decision's JSON
// of the same size), still without middleware, auth or a decision: what the answer itself costs.
import { randomUUID } from "node:crypto";
import { serve, type HttpBindings } from "@hono/node-server";
import { Hono } from "hono";
import { STANDARD_HEADERS } from "../../src/server/standard-headers.js";

const sameAnswer = process.argv[2] === "answer";
/** An allowed decision's answer under the bench's policies, as `POST /v1/decisions` sends it (364 bytes). */
const DECISION = {
  id: "d_yA32zlw9AAAAAAAB",
  outcome: "allow",
  allowed: true,
  reason: "no policy refused this call",
  kind: null,
  policy: null,
  rule: null,
  retry_after: null,
  counters: [
    {
      policy: "rate_limit",
      rule: 0,
      kind: "rate",
      window: "1m",
      limit: 1e9,
      used: 1,
      remaining: 999999999,
      reset_at: "2026-12-08T00:03:15.245Z",
    },
  ],
  warnings: [],
  would_be: null,
  dry_run: false,
};

const app = new Hono<{ Bindings: HttpBindings }>();
app.post("/v1/decisions", async (c) => {
  const body = await c.req.json<{ context?: unknown }>();
  if (!sameAnswer) return c.json({ id: "bare", outcome: "allow", allowed: true, echoed: typeof body.context });
  for (const [name, value] of STANDARD_HEADERS) c.env.outgoing.setHeader(name, value);
  c.env.outgoing.setHeader("X-Request-Id", randomUUID());
  return c.json({ ...DECISION, reason: typeof body.context === "object" ? DECISION.reason : "" });
});
app.get("/cpu", (c) => {
  const { user, system } = process.cpuUsage();
  return c.json({ micros: user + system });
});
const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => console.log(`PORT ${info.port}`));
for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => server.close());
