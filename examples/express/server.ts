// The Express example: Quick Start policies on the in-memory store, a confirmed DELETE and a budgeted chat route.
import express, { type Request } from "express";
import { fileURLToPath } from "node:url";
import { guard, hexarch } from "hexarch-guardrails/express";

const HOST = process.env["HOST"] ?? "127.0.0.1";
const PORT = Number(process.env["PORT"] ?? 3000);
/** What one chat call is assumed to cost before it runs, in dollars. */
const ESTIMATED_COST = 2.5;
/** What a call really costs: a pretend price per word of prompt and reply, in dollars. */
const PRICE_PER_WORD = 0.15;

const users = new Map([
  ["1", { id: "1", name: "Ada" }],
  ["2", { id: "2", name: "Grace" }],
  ["3", { id: "3", name: "Linus" }],
]);

function words(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

const app = express();
app.use(express.json());
app.use(
  hexarch({
    policyFile: fileURLToPath(new URL("./hexarch.yaml", import.meta.url)),
    onDecision: (decision, req: Request) => {
      if (decision.outcome !== "allow") console.log(`${req.method} ${req.originalUrl} → ${decision.outcome}: ${decision.reason}`);
    },
  }),
);

app.get("/", (_req, res) => {
  res.json({ routes: ["GET /users", "DELETE /users/:id (needs confirmation)", "POST /chat {prompt} (monthly budget)"] });
});

app.get("/users", (_req, res) => {
  res.json([...users.values()]);
});

app.delete("/users/:id", guard("safe_delete"), (req, res) => {
  const id = String(req.params["id"]);
  const existed = users.delete(id);
  res.status(existed ? 200 : 404).json({ deleted: existed ? id : null });
});

app.post("/chat", guard("api_budget", { resource: "openai", cost: ESTIMATED_COST }), async (req, res) => {
  const prompt = typeof req.body?.prompt === "string" ? req.body.prompt : "hello";
  const reply = `Echo: ${prompt}`;
  const cost = Math.round((words(prompt) + words(reply)) * PRICE_PER_WORD * 100) / 100;
  await res.locals.hexarch?.charge(cost); // replaces the estimate reserved before the call
  res.json({ reply, cost });
});

app.listen(PORT, HOST, () => {
  console.log(`hexarch example listening on http://${HOST}:${PORT} (in-memory store)`);
});
