// Express routes priced by tokens: charge(usage), release(), and what a request that ends without a charge spends.
import { once } from "node:events";
import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { createGuardian, type Guardian } from "../../../src/index.js";
import { guard } from "../../../src/adapters/express.js";

const POLICY = `
prices:
  gpt-4o: { input_per_mtok: 2.5, output_per_mtok: 10 }
policies:
  - id: chat_budget
    rules:
      - resource: openai
        monthly_budget: 0.05
        action: "warn_at_80%"
`;

const ROUTE = { resource: "openai", model: "gpt-4o", inputTokens: 1000, maxOutputTokens: 1000 } as const;

/** The budget counter and the part of it reserved, not settled, in millionths. */
async function spentAndReserved(guardian: Guardian): Promise<[number, number]> {
  const [slot] = guardian.countersFor({ resource: "openai" }, ["chat_budget"]);
  const used = (await guardian.store.peek(slot?.key ?? ""))?.used ?? 0;
  const settled = (await guardian.store.peek(`${slot?.key ?? ""}:settled`))?.used ?? 0;
  return [used, used - settled];
}

describe("Express routes priced by tokens", () => {
  it("reserve by tokens, settle by the usage the handler charges, warn at 80% and answer 429 at 100%", async () => {
    const guardian = createGuardian({ policyText: POLICY, env: {} });
    const app = express();
    app.post("/chat", guard("chat_budget", { guardian, ...ROUTE }), async (_req, res) => {
      // Each call reserves 0.0125 and uses 1000 prompt + 500 completion tokens: 0.0075.
      await res.locals.hexarch?.charge({ prompt_tokens: 1000, completion_tokens: 500 });
      res.json({ ok: true });
    });
    const statuses: number[] = [];
    const warned: boolean[] = [];
    for (let i = 0; i < 7; i++) {
      const response = await request(app).post("/chat");
      statuses.push(response.status);
      warned.push(response.headers["hexarch-budget-warning"] !== undefined);
    }
    // Admitted while spent + 0.0125 ≤ 0.05: 0, 7.5, 15, 22.5, 30 and 37.5 thousandths spent before calls 1 to 6.
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429]);
    // Warned from spent + reservation ≥ 0.04: calls 5 (0.0425) and 6 (0.05).
    expect(warned).toEqual([false, false, false, false, true, true, false]);
    expect(await spentAndReserved(guardian)).toEqual([45_000, 0]);
  });

  it("a handler that answers without charging spends the whole reservation when the response ends", async () => {
    const guardian = createGuardian({ policyText: POLICY, env: {} });
    const app = express();
    app.post("/chat", guard("chat_budget", { guardian, ...ROUTE }), (_req, res) => void res.json({ ok: true }));
    await request(app).post("/chat").expect(200);
    await expect.poll(() => spentAndReserved(guardian)).toEqual([12_500, 0]);
  });

  it("release() gives the reservation back, and a later charge is ignored", async () => {
    const guardian = createGuardian({ policyText: POLICY, env: {} });
    const app = express();
    app.post("/chat", guard("chat_budget", { guardian, ...ROUTE }), async (_req, res) => {
      await res.locals.hexarch?.release();
      await res.locals.hexarch?.charge({ prompt_tokens: 1000, completion_tokens: 1000 });
      res.status(502).json({ error: "provider unavailable" });
    });
    await request(app).post("/chat").expect(502);
    expect(await spentAndReserved(guardian)).toEqual([0, 0]);
  });

  it("a usage the route's model cannot price is refused and changes nothing", async () => {
    const guardian = createGuardian({ policyText: POLICY, env: {} });
    const app = express();
    let refusal: unknown;
    app.post("/chat", guard("chat_budget", { guardian, ...ROUTE }), async (_req, res) => {
      refusal = await res.locals.hexarch?.charge({ total_tokens: 5 } as never).catch((error: unknown) => error);
      await res.locals.hexarch?.charge(0.001);
      res.json({ ok: true });
    });
    await request(app).post("/chat").expect(200);
    expect(refusal).toBeInstanceOf(TypeError);
    expect(await spentAndReserved(guardian)).toEqual([1_000, 0]);
  });

  describe("a request aborted by the client", () => {
    let server: ReturnType<express.Express["listen"]> | undefined;
    afterEach(() => void server?.close());

    it("spends its estimate when the connection closes; the handler's late charge is ignored", async () => {
      const guardian = createGuardian({ policyText: POLICY, env: {} });
      const app = express();
      let lateCharge: Promise<void> | undefined;
      let entered!: () => void;
      const inHandler = new Promise<void>((resolve) => (entered = resolve));
      app.post("/chat", guard("chat_budget", { guardian, ...ROUTE }), (req, res) => {
        entered();
        req.once("close", () => {
          // The model call finishes after the client has gone: its usage arrives too late to count.
          lateCharge = res.locals.hexarch?.charge({ prompt_tokens: 1000, completion_tokens: 10 });
        });
      });
      server = app.listen(0, "127.0.0.1");
      await once(server, "listening");
      const { port } = server.address() as AddressInfo;
      const client = httpRequest({ host: "127.0.0.1", port, method: "POST", path: "/chat" });
      client.on("error", () => {});
      client.end();
      await inHandler;
      client.destroy();
      await expect.poll(() => spentAndReserved(guardian)).toEqual([12_500, 0]);
      await lateCharge;
      expect(await spentAndReserved(guardian)).toEqual([12_500, 0]);
    });
  });
});
