// A counter store that cannot record a confirmation token's use: the policy's fail mode decides, never a 500.
import request from "supertest";
import { describe, expect, it } from "vitest";
import { createGuardian } from "../../../src/guardian/create-guardian.js";
import { MemoryStore } from "../../../src/stores/memory.js";
import { hexarch } from "../../../src/adapters/express.js";
import { appWith, SECRET } from "./app.js";

/** A memory store whose single-use claims fail while `down` is true, as Redis would during an outage. */
class ClaimOutageStore extends MemoryStore {
  down = false;
  override async claimOnce(key: string, ttlMs: number): Promise<boolean> {
    if (this.down) throw new Error("connection lost");
    return super.claimOnce(key, ttlMs);
  }
}

function confirmDeletes(fail: "closed" | "open"): string {
  return `policies:\n  - id: safe_delete\n    fail: ${fail}\n    rules:\n      - operation: delete\n        action: require_confirmation\n`;
}

async function outageAfterToken(fail: "closed" | "open") {
  const store = new ClaimOutageStore();
  const guardian = createGuardian({ policyText: confirmDeletes(fail), store });
  const { app, handled } = appWith(hexarch({ guardian, secret: SECRET }));
  const first = await request(app).delete("/users/1");
  expect(first.status).toBe(428);
  store.down = true;
  const confirmed = await request(app)
    .delete("/users/1")
    .set("Hexarch-Confirm", first.body.confirm.token as string);
  return { confirmed, handled };
}

describe("confirmation tokens during a store outage", () => {
  it("answers 503 with Retry-After under fail: closed, and the handler does not run", async () => {
    const { confirmed, handled } = await outageAfterToken("closed");
    expect(confirmed.status).toBe(503);
    expect(confirmed.headers["retry-after"]).toBe("5");
    expect(confirmed.body).toMatchObject({ status: 503, policy: "safe_delete", kind: "store" });
    expect(handled()).toBe(0);
  });

  it("accepts the genuine token under fail: open, without its single-use record", async () => {
    const { confirmed, handled } = await outageAfterToken("open");
    expect(confirmed.status).toBe(200);
    expect(handled()).toBe(1);
  });
});
