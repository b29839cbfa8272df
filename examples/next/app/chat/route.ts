// POST /chat spends the monthly budget: an estimate is reserved first, the real cost settled after the reply.
import { withHexarch } from "hexarch-guardrails/next";
import { pretendModel } from "../../lib/pretend-model.js";

/** What one chat call is assumed to cost before it runs, in dollars. */
const ESTIMATED_COST = 2.5;

export const POST = withHexarch(
  async (request, { hexarch }) => {
    const body = (await request.json().catch(() => ({}))) as { prompt?: unknown };
    const { reply, cost } = pretendModel(typeof body.prompt === "string" ? body.prompt : "hello");
    await hexarch.charge(cost);
    return Response.json({ reply: reply.slice(0, 60), cost });
  },
  { policy: "api_budget", resource: "openai", cost: ESTIMATED_COST },
);
