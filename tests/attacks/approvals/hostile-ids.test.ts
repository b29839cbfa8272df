// Hostile approval ids: huge, odd spellings, another call's, a key-shaped path; none runs the handler or breaks the answer.
import express from "express";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { hexarch } from "../../../src/adapters/express.js";
import { createGuardian } from "../../../src/index.js";
import { APPROVE_DELETES } from "../../support/approval-policy.js";

describe("hostile Hexarch-Approval values against Express", () => {
  it("each is answered 428 with this call's own pending request, and the handler never runs", async () => {
    const guardian = createGuardian({ policyText: APPROVE_DELETES });
    let runs = 0;
    const app = express();
    app.use(express.json());
    app.use(hexarch({ guardian, secret: "hostile-ids-secret-0123456789abcdef" }));
    app.use((_req, res) => void res.json({ ran: ++runs }));
    const other = (await request(app).delete("/tables/orders").send({})).body as { approval: { id: string } };
    await guardian.approvals.approve(other.approval.id, { by: "ada" });
    const hostile = [
      other.approval.id, // approved, but for another call
      other.approval.id.toUpperCase(),
      ` ${other.approval.id}\t`.replace(" ", ""),
      "ap_" + "A".repeat(10_000),
      "ap_../../approvals:pending",
      "ap_%00%0d%0aSet-Cookie:%20x",
      "*",
    ];
    for (const value of hostile) {
      const answer = await request(app).delete("/tables/users").set("Hexarch-Approval", value).send({});
      expect(answer.status, value.slice(0, 40)).toBe(428);
      expect(answer.body.approval.status).toBe("pending");
      expect(answer.body.approval.id).not.toBe(other.approval.id);
    }
    expect(runs).toBe(0);
    // The other call's approval is still there for its own call.
    expect((await request(app).delete("/tables/orders").set("Hexarch-Approval", other.approval.id).send({})).status).toBe(200);
    expect(runs).toBe(1);
  });

  it("a changed body is another call: the approval of the first body never admits it", async () => {
    const guardian = createGuardian({ policyText: APPROVE_DELETES });
    const app = express();
    app.use(express.json());
    app.use(hexarch({ guardian, secret: "hostile-ids-secret-0123456789abcdef" }));
    app.use((_req, res) => void res.json({ ok: true }));
    const asked = (await request(app).delete("/tables/users").send({ where: "age > 99" })).body as { approval: { id: string } };
    await guardian.approvals.approve(asked.approval.id, { by: "ada" });
    const swapped = await request(app).delete("/tables/users").set("Hexarch-Approval", asked.approval.id).send({ where: "1 = 1" });
    expect(swapped.status).toBe(428);
    expect(swapped.body.approval.rejected).toBe("another-call");
    const sameCall = await request(app).delete("/tables/users").set("Hexarch-Approval", asked.approval.id).send({ where: "age > 99" });
    expect(sameCall.status).toBe(200);
  });
});
