// The baseline of the serve bench: a hono app with no middleware at all, answering POST /v1/decisions with a parsed body
// and a small JSON answer, on @hono/node-server as `hexarch serve` runs; prints its port.
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const app = new Hono();
app.post("/v1/decisions", async (c) => {
  const body = await c.req.json<{ context?: unknown }>();
  return c.json({ id: "bare", outcome: "allow", allowed: true, echoed: typeof body.context });
});
app.get("/cpu", (c) => {
  const { user, system } = process.cpuUsage();
  return c.json({ micros: user + system });
});
const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => console.log(`PORT ${info.port}`));
for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => server.close());
