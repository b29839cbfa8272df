// Koa routes priced by tokens: charge(usage) on ctx.state.hexarch, and a response that ends without a charge.
import request from "supertest";
import { describe, expect, it } from "vitest";
import { createGuardian, type Guardian } from "../../../src/index.js";
import { guard } from "../../../src/adapters/koa.js";
import { koaAppWith } from "./app.js";

const POLICY = `
prices:
  gpt-4o: { input_per_mtok: 2.5, output_per_mtok: 10 }
policies:
  - id: chat_budget
    rules:
      - resource: openai
        monthly_budget: 1
`;

const ROUTE = { resource: "openai", model: "gpt-4o", inputTokens: 1000, maxOutputTokens: 1000 } as const;

async function spentAndReserved(guardian: Guardian): Promise<[number, number]> {
  const [slot] = guardian.countersFor({ resource: "openai" }, ["chat_budget"]);
  const used = (await guardian.store.peek(slot?.key ?? ""))?.used ?? 0;
  const settled = (await guardian.store.peek(`${slot?.key ?? ""}:settled`))?.used ?? 0;
  return [used, used - settled];
}

describe("Koa routes priced by tokens", () => {
  it("settle by the usage charged on ctx.state.hexarch", async () => {
    const guardian = createGuardian({ policyText: POLICY, env: {} });
    const { app } = koaAppWith(async (ctx, next) => {
      await guard("chat_budget", { guardian, ...ROUTE })(ctx, async () => {
        await ctx.state.hexarch?.charge({ input_tokens: 1000, output_tokens: 100 });
        await next();
      });
    });
    await request(app.callback()).post("/chat").expect(200);
    expect(await spentAndReserved(guardian)).toEqual([3_500, 0]);
  });

  it("a response that ends without a charge spends the whole reservation", async () => {
    const guardian = createGuardian({ policyText: POLICY, env: {} });
    const { app } = koaAppWith(guard("chat_budget", { guardian, ...ROUTE }));
    await request(app.callback()).post("/chat").expect(200);
    await expect.poll(() => spentAndReserved(guardian)).toEqual([12_500, 0]);
  });
});
