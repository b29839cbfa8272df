// A request passing hexarch() and then guard() on the same approval policy: one approval admits it, exactly once. The
// first guard takes the approval; the second must count it (not ask anew for its own binding, which left the request
// refused forever), and nothing carries over to another request.
import express from "express";
import Koa from "koa";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { guard as expressGuard, hexarch as expressHexarch } from "../../../src/adapters/express.js";
import { guard as koaGuard, hexarch as koaHexarch } from "../../../src/adapters/koa.js";
import { createGuardian, type Guardian } from "../../../src/index.js";
import { APPROVE_DELETES } from "../../support/approval-policy.js";

const SECRET = "two-guards-secret-0123456789abcdef";

/** An app with hexarch() on every route and guard("prod_delete") on DELETE /tables/:name; counts the handler's runs. */
const apps: Record<string, (guardian: Guardian) => { server: Parameters<typeof request>[0]; runs: () => number }> = {
  express: (guardian) => {
    let runs = 0;
    const app = express();
    app.use(expressHexarch({ guardian, secret: SECRET }));
    app.delete("/tables/:name", expressGuard("prod_delete", { guardian, secret: SECRET }), (_req, res) => void res.json({ ran: ++runs }));
    return { server: app, runs: () => runs };
  },
  koa: (guardian) => {
    let runs = 0;
    const app = new Koa();
    app.use(koaHexarch({ guardian, secret: SECRET }));
    const prodDelete = koaGuard("prod_delete", { guardian, secret: SECRET });
    app.use(async (ctx, next) => {
      if (ctx.method !== "DELETE") return next();
      await prodDelete(ctx, async () => void (ctx.body = { ran: ++runs }));
    });
    return { server: app.callback(), runs: () => runs };
  },
};

describe.each(Object.keys(apps))("%s: hexarch() and guard() on one approval policy", (name) => {
  it("one approval admits the request through both guards, once; the next retry is refused as used", async () => {
    const guardian = createGuardian({ policyText: APPROVE_DELETES, env: {} });
    const { server, runs } = (apps[name] as (g: Guardian) => ReturnType<(typeof apps)["express"]>)(guardian);
    const asked = await request(server).delete("/tables/users");
    expect(asked.status).toBe(428);
    const id = asked.headers["hexarch-approval"] as string;
    await guardian.approvals.approve(id, { by: "ada" });

    const admitted = await request(server).delete("/tables/users").set("Hexarch-Approval", id);
    expect(admitted.status).toBe(200);
    expect(runs()).toBe(1);
    const again = await request(server).delete("/tables/users").set("Hexarch-Approval", id);
    expect(again.status).toBe(428);
    expect(again.body.approval.rejected).toBe("used");
    expect(runs()).toBe(1);
    await guardian.close();
  });

  it("a used approval of one request grants nothing to another request, concurrent or later", async () => {
    const guardian = createGuardian({ policyText: APPROVE_DELETES, env: {} });
    const { server, runs } = (apps[name] as (g: Guardian) => ReturnType<(typeof apps)["express"]>)(guardian);
    const id = (await request(server).delete("/tables/users")).headers["hexarch-approval"] as string;
    await guardian.approvals.approve(id, { by: "ada" });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => request(server).delete("/tables/users").set("Hexarch-Approval", id)),
    );
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    expect(runs()).toBe(1);
    const other = await request(server).delete("/tables/orders").set("Hexarch-Approval", id);
    expect(other.status).toBe(428);
    expect(runs()).toBe(1);
    await guardian.close();
  });
});
