// Koa: a body no parser read before hexarch() gets no confirmation token, and the 428 says how to fix the order.
import Koa from "koa";
import request from "supertest";
import { expect, it } from "vitest";
import { hexarch } from "../../../src/adapters/koa.js";
import { guardianFor, jsonBody, SECRET } from "./app.js";

const CONFIRM_DELETES = "policies:\n  - id: safe_delete\n    rules:\n      - operation: delete\n        action: require_confirmation\n";

it("does not issue a confirmation token for a body no parser has read", async () => {
  const codes: unknown[] = [];
  const app = new Koa();
  app.use(
    hexarch({
      guardian: guardianFor(CONFIRM_DELETES),
      secret: SECRET,
      logger: { info() {}, error() {}, warn: (object) => void codes.push(object["code"]) },
    }),
  );
  app.use(jsonBody);
  app.use((ctx) => void (ctx.body = { ok: true }));
  const res = await request(app.callback()).delete("/accounts/1").send({ amount: 1 });
  expect(res.status).toBe(428);
  expect(res.body.confirm.token).toBeUndefined();
  expect(res.body.confirm.how).toContain("put the body parser before hexarch()");
  expect(codes).toContain("HEXARCH_BODY_UNREAD");
});
