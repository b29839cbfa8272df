// One-time warnings about the set-up around hexarch(), on real Express 5: body parser order and proxies.
import express from "express";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { hexarch } from "../../../src/adapters/express.js";
import { proxyWatch } from "../../../src/adapters/core/context-builder.js";
import type { Logger } from "../../../src/errors/warnings.js";
import { guardianFor, SECRET } from "./app.js";

const CONFIRM_DELETES = "policies:\n  - id: safe_delete\n    rules:\n      - operation: delete\n        action: require_confirmation\n";

/** A logger that keeps the codes it was warned with. */
function recordingLogger(): Logger & { codes: string[] } {
  const codes: string[] = [];
  return { codes, info() {}, error() {}, warn: (object) => void codes.push(String(object["code"])) };
}

/** hexarch() before the JSON parser: the mistake the warning is about. */
function parserAfter(logger: Logger): express.Express {
  const app = express();
  app.use(hexarch({ guardian: guardianFor(CONFIRM_DELETES), secret: SECRET, logger }));
  app.use(express.json());
  app.use((req, res) => void res.json({ body: req.body as unknown }));
  return app;
}

describe("a body hexarch cannot see", () => {
  it("does not issue a confirmation token for a body no parser has read", async () => {
    const logger = recordingLogger();
    const res = await request(parserAfter(logger)).delete("/accounts/1").send({ amount: 1 });
    expect(res.status).toBe(428);
    expect(res.body.confirm.token).toBeUndefined();
    expect(res.body.confirm.how).toContain("put the body parser before hexarch()");
    expect(logger.codes).toContain("HEXARCH_BODY_UNREAD");
  });

  it("does not accept a token issued without a body for a request whose body it cannot see", async () => {
    const app = parserAfter(recordingLogger());
    const first = await request(app).delete("/accounts/1");
    const token = first.body.confirm.token as string;
    expect(typeof token).toBe("string");
    const replay = await request(app).delete("/accounts/1").set("Hexarch-Confirm", token).send({ amount: 1_000_000 });
    expect(replay.status).toBe(428);
  });
});

describe("proxies", () => {
  it("warns when X-Forwarded-For arrives and proxies are not trusted", async () => {
    const logger = recordingLogger();
    const app = express();
    app.use(hexarch({ guardian: guardianFor(CONFIRM_DELETES), logger }));
    app.use((_req, res) => void res.end());
    await request(app).get("/").set("X-Forwarded-For", "198.51.100.7");
    expect(logger.codes).toEqual(["HEXARCH_XFF_UNTRUSTED"]);
  });

  it("warns when every proxy is trusted and a public address reaches the app, not a local one", () => {
    const logger = recordingLogger();
    const watchProxies = proxyWatch(logger);
    const watch = (peer: string): void => watchProxies({ proxySight: () => ({ trust: "all", forwardedFor: undefined, peer }) });
    watch("10.0.0.2");
    watch("127.0.0.1");
    expect(logger.codes).toEqual([]);
    watch("8.8.8.8");
    expect(logger.codes).toEqual(["HEXARCH_TRUST_PROXY_DIRECT"]);
  });
});
