// The Express example: Quick Start policies on the in-memory store, a confirmed DELETE and a chat route priced by tokens.
import express, { type Request } from "express";
import { fileURLToPath } from "node:url";
import { guard, hexarch } from "hexarch-guardrails/express";
import { countTokens, standInChat } from "./stand-in-model.js";

const HOST = process.env["HOST"] ?? "127.0.0.1";
const PORT = Number(process.env["PORT"] ?? 3000);
/** The model the chat route calls; hexarch.yaml prices it under prices:. */
const MODEL = "gpt-4";
/** The reply length the route asks for unless the request says otherwise (the provider's max_tokens). */
const MAX_TOKENS = 25_000;

const users = new Map([
  ["1", { id: "1", name: "Ada" }],
  ["2", { id: "2", name: "Grace" }],
  ["3", { id: "3", name: "Linus" }],
]);

/** The JSON body the chat route reads. */
type ChatBody = { readonly prompt?: unknown; readonly max_tokens?: unknown } | undefined;

function promptOf(req: Request): string {
  const { prompt } = (req.body as ChatBody) ?? {};
  return typeof prompt === "string" ? prompt : "hello";
}

function maxTokensOf(req: Request): number {
  const { max_tokens: maxTokens } = (req.body as ChatBody) ?? {};
  return typeof maxTokens === "number" ? maxTokens : MAX_TOKENS;
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
  res.json({
    routes: ["GET /users", "DELETE /users/:id (needs confirmation)", "POST /chat {prompt, max_tokens?} (monthly budget, priced by tokens)"],
  });
});

app.get("/users", (_req, res) => {
  res.json([...users.values()]);
});

app.delete("/users/:id", guard("safe_delete"), (req, res) => {
  const id = String(req.params["id"]);
  const existed = users.delete(id);
  res.status(existed ? 200 : 404).json({ deleted: existed ? id : null });
});

// Reserves prompt tokens × input price + max_tokens × output price before the handler runs; the handler settles
// with the usage the model returns. A handler that answers without charging spends the whole reservation.
const chatGuard = guard("api_budget", {
  resource: "openai",
  model: MODEL,
  inputTokens: (req) => countTokens(promptOf(req)),
  maxOutputTokens: maxTokensOf,
});

app.post("/chat", chatGuard, async (req, res) => {
  const completion = standInChat({ model: MODEL, max_tokens: maxTokensOf(req), prompt: promptOf(req) });
  await res.locals.hexarch?.charge(completion.usage); // replaces the reservation with the exact cost
  res.json({ reply: completion.choices[0]?.message.content, usage: completion.usage });
});

app.listen(PORT, HOST, () => {
  console.log(`hexarch example listening on http://${HOST}:${PORT} (in-memory store)`);
});
