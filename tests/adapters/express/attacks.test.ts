// Attacks on the confirmation protocol and client identity: expired, concurrent replays, other clients, spoofed proxies.
import express from "express";
import { createServer } from "node:http";
import request from "supertest";
import { afterEach, describe, expect, it, vi } from "vitest";
import { hexarch } from "../../../src/adapters/express.js";
import { MAX_BOUND_BODY } from "../../../src/adapters/core/body-digest.js";
import { listening, ROUTE_POLICIES, sendRaw } from "../path-spellings.js";
import { appWith, guardianFor, perMinute, SECRET } from "./app.js";

afterEach(() => {
  vi.useRealTimers();
});

async function confirmToken(app: Parameters<typeof request>[0], path = "/users/1", forwardedFor?: string): Promise<string> {
  const pending = request(app).delete(path);
  const first = await (forwardedFor === undefined ? pending : pending.set("X-Forwarded-For", forwardedFor));
  expect(first.status).toBe(428);
  return first.body.confirm.token as string;
}

describe("confirmation tokens under attack", () => {
  it("an expired token gets a fresh 428 saying so, and the handler never runs", async () => {
    const { app, handled } = appWith(hexarch({ guardian: guardianFor(), secret: SECRET, confirmTtl: 60 }));
    const token = await confirmToken(app);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 61_000);
    const late = await request(app).delete("/users/1").set("Hexarch-Confirm", token);
    expect(late.status).toBe(428);
    expect(late.body.confirm.rejected).toBe("expired");
    expect(late.body.confirm.token).not.toBe(token);
    expect(handled()).toBe(0);
  });

  it("the same token sent by many requests at once admits exactly one", async () => {
    const { app, handled } = appWith(hexarch({ guardian: guardianFor(), secret: SECRET }));
    const token = await confirmToken(app);
    const server = app.listen(0, "127.0.0.1");
    try {
      const answers = await Promise.all(Array.from({ length: 8 }, () => request(server).delete("/users/1").set("Hexarch-Confirm", token)));
      expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
      expect(answers.filter((a) => a.status === 428 && a.body.confirm.rejected === "used")).toHaveLength(7);
      expect(handled()).toBe(1);
    } finally {
      server.close();
    }
  });

  it("a token issued to one client is refused for another (trust proxy on, different X-Forwarded-For)", async () => {
    const { app, handled } = appWith(hexarch({ guardian: guardianFor(), secret: SECRET }), (a) => a.set("trust proxy", true));
    const token = await confirmToken(app, "/users/1", "198.51.100.7");
    const other = await request(app).delete("/users/1").set("X-Forwarded-For", "198.51.100.8").set("Hexarch-Confirm", token);
    expect(other.status).toBe(428);
    expect(other.body.confirm.rejected).toBe("invalid");
    const owner = await request(app).delete("/users/1").set("X-Forwarded-For", "198.51.100.7").set("Hexarch-Confirm", token);
    expect(owner.status).toBe(200);
    expect(handled()).toBe(1);
  });

  it("a token signed by another instance's secret is refused", async () => {
    const issuer = appWith(hexarch({ guardian: guardianFor(), secret: SECRET }));
    const verifier = appWith(hexarch({ guardian: guardianFor(), secret: "a-different-secret-0123456789" }));
    const token = await confirmToken(issuer.app);
    const answer = await request(verifier.app).delete("/users/1").set("Hexarch-Confirm", token);
    expect(answer.status).toBe(428);
    expect(answer.body.confirm.rejected).toBe("invalid");
  });

  it("a token for one method does not confirm another method on the same path", async () => {
    const policies = `policies:\n  - id: careful\n    rules:\n      - action: require_confirmation\n`;
    const { app } = appWith(hexarch({ guardian: guardianFor(policies), secret: SECRET }));
    const first = await request(app).put("/users/1").send({ name: "x" });
    expect(first.status).toBe(428);
    const other = await request(app).patch("/users/1").send({ name: "x" }).set("Hexarch-Confirm", first.body.confirm.token);
    expect(other.body.confirm.rejected).toBe("invalid");
  });

  it.each([
    ["a tampered policy list", (t: string) => t.replace("safe_delete", "safe_delete,rate_limit")],
    ["a truncated signature", (t: string) => t.slice(0, -4)],
    ["a pushed-back expiry", (t: string) => t.replace(/^v2\.[0-9a-z]+\./, "v2.zzzzzzzzz.")],
    ["an illegal policy id", (t: string) => t.replace("safe_delete", "safe delete")],
    ["two tokens in one header", (t: string) => `${t}, ${t}`],
    ["a space inside", (t: string) => `${t.slice(0, 12)} ${t.slice(12)}`],
  ])("%s is refused without a 500", async (_name, alter) => {
    const { app, handled } = appWith(hexarch({ guardian: guardianFor(), secret: SECRET }));
    const token = await confirmToken(app);
    const answer = await request(app).delete("/users/1").set("Hexarch-Confirm", alter(token));
    expect(answer.status).toBe(428);
    expect(["invalid", "malformed"]).toContain(answer.body.confirm.rejected);
    expect(handled()).toBe(0);
  });

  it("does not accept a token from the millisecond its 428 announced as expires_at", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.UTC(2026, 0, 15, 12, 0, 0, 123));
    const { app, handled } = appWith(hexarch({ guardian: guardianFor(), secret: SECRET, confirmTtl: 60 }));
    const first = await request(app).delete("/users/1");
    const expiresAt = Date.parse(first.body.confirm.expires_at as string);
    expect(expiresAt).toBe(Date.UTC(2026, 0, 15, 12, 1, 0, 123));
    vi.setSystemTime(expiresAt);
    const late = await request(app)
      .delete("/users/1")
      .set("Hexarch-Confirm", first.body.confirm.token as string);
    expect(late.status).toBe(428);
    expect(late.body.confirm.rejected).toBe("expired");
    expect(handled()).toBe(0);
  });

  it("does not let a token for a 70-deep body confirm a 70-deep body that differs at the bottom", async () => {
    const policies = `policies:\n  - id: careful\n    rules:\n      - action: require_confirmation\n`;
    const { app, handled } = appWith(hexarch({ guardian: guardianFor(policies), secret: SECRET }));
    const deep = (leaf: string): unknown => Array.from({ length: 70 }).reduce<unknown>((inner) => ({ next: inner }), leaf);
    const first = await request(app)
      .post("/query")
      .send(deep("harmless") as object);
    expect(first.status).toBe(428);
    const swapped = await request(app)
      .post("/query")
      .send(deep("DROP TABLE users") as object)
      .set("Hexarch-Confirm", first.body.confirm.token as string);
    expect(swapped.status).toBe(428);
    expect(swapped.body.confirm.rejected).toBe("invalid");
    expect(handled()).toBe(0);
  });

  it("answers a 400 problem, not a 500, when the parsed body holds a BigInt", async () => {
    const policies = `policies:\n  - id: careful\n    rules:\n      - action: require_confirmation\n`;
    const bigIntBody: express.RequestHandler = (req, _res, next) => {
      req.body = { amount: 10n ** 30n };
      next();
    };
    const { app, handled } = appWith(hexarch({ guardian: guardianFor(policies), secret: SECRET }), (a) => a.use(bigIntBody));
    const answer = await request(app).post("/pay");
    expect(answer.status).toBe(400);
    expect(answer.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({
      status: 400,
      type: "urn:hexarch:problem:body-not-bindable",
      policy: "careful",
      outcome: "confirm",
    });
    expect(answer.body.detail).toMatch(/BigInt/);
    expect(answer.body.confirm).toBeUndefined();
    expect(handled()).toBe(0);
  });

  it("answers 413 to a confirmation whose body is over the bound size, with or without a token", async () => {
    const policies = `policies:\n  - id: careful\n    rules:\n      - action: require_confirmation\n`;
    const { app, handled } = appWith(hexarch({ guardian: guardianFor(policies), secret: SECRET }), (a) =>
      a.use(express.json({ limit: "4mb" })),
    );
    const body = { blob: "x".repeat(MAX_BOUND_BODY) };
    const first = await request(app).post("/upload").send(body);
    expect(first.status).toBe(413);
    expect(first.body).toMatchObject({ status: 413, type: "urn:hexarch:problem:body-too-large" });
    const small = await request(app).post("/upload").send({ blob: "x" });
    const withToken = await request(app)
      .post("/upload")
      .send(body)
      .set("Hexarch-Confirm", small.body.confirm.token as string);
    expect(withToken.status).toBe(413);
    expect(handled()).toBe(0);
  });

  it("does not accept a second spelling of a token's signature", async () => {
    const { app, handled } = appWith(hexarch({ guardian: guardianFor(), secret: SECRET }));
    const token = await confirmToken(app);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const twin = token.slice(0, -1) + alphabet[alphabet.indexOf(token.at(-1) as string) ^ 1];
    const answer = await request(app).delete("/users/1").set("Hexarch-Confirm", twin);
    expect(answer.status).toBe(428);
    expect(answer.body.confirm.rejected).toBe("malformed");
    expect(handled()).toBe(0);
  });

  it("a header far beyond the token size is treated as absent", async () => {
    const { app } = appWith(hexarch({ guardian: guardianFor(), secret: SECRET }));
    const answer = await request(app).delete("/users/1").set("Hexarch-Confirm", "x".repeat(8000));
    expect(answer.status).toBe(428);
    expect(answer.body.confirm.rejected).toBe("malformed");
  });
});

describe("client identity", () => {
  it("with trust proxy off, spoofed X-Forwarded-For values all count as the one peer", async () => {
    const { app } = appWith(hexarch({ guardian: guardianFor(perMinute(2)), secret: SECRET }));
    const statuses: number[] = [];
    for (const ip of ["203.0.113.1", "203.0.113.2", "203.0.113.3"])
      statuses.push((await request(app).get("/").set("X-Forwarded-For", ip)).status);
    expect(statuses).toEqual([200, 200, 429]);
  });

  it("with trust proxy on, X-Forwarded-For names the client", async () => {
    const { app } = appWith(hexarch({ guardian: guardianFor(perMinute(1)), secret: SECRET }), (a) => a.set("trust proxy", "loopback"));
    const statuses: number[] = [];
    for (const ip of ["203.0.113.1", "203.0.113.2", "203.0.113.1"])
      statuses.push((await request(app).get("/").set("X-Forwarded-For", ip)).status);
    expect(statuses).toEqual([200, 200, 429]);
  });

  it("IPv6 clients in one /64 share a limit; another /64 has its own", async () => {
    const { app } = appWith(hexarch({ guardian: guardianFor(perMinute(1)), secret: SECRET }), (a) => a.set("trust proxy", true));
    const send = (ip: string) => request(app).get("/").set("X-Forwarded-For", ip);
    expect((await send("2001:db8:1:2::1")).status).toBe(200);
    expect((await send("2001:db8:1:2:ffff::9")).status).toBe(429);
    expect((await send("2001:db8:1:3::1")).status).toBe(200);
  });

  it("ipv6Prefix: 128 counts every IPv6 address on its own", async () => {
    const { app } = appWith(hexarch({ guardian: guardianFor(perMinute(1)), secret: SECRET, ipv6Prefix: 128 }), (a) =>
      a.set("trust proxy", true),
    );
    const send = (ip: string) => request(app).get("/").set("X-Forwarded-For", ip);
    expect((await send("2001:db8:1:2::1")).status).toBe(200);
    expect((await send("2001:db8:1:2::2")).status).toBe(200);
  });

  it("does not give one client a fresh limit per spelling of its address", async () => {
    const { app } = appWith(hexarch({ guardian: guardianFor(perMinute(1)), secret: SECRET }), (a) => a.set("trust proxy", true));
    const statusFor = async (forwarded: string) => (await request(app).get("/").set("X-Forwarded-For", forwarded)).status;
    const spellings = {
      "203.0.113.4": ["203.0.113.4:5555", "[::ffff:203.0.113.4]", "[::ffff:203.0.113.4]:443", "::FFFF:cb00:7104", "203.0.113.4:1"],
      "2001:db8::7": ["[2001:db8::7]:443", "[2001:db8::8]", "2001:db8::9%eth0", "[2001:DB8:0:0::7]:80"],
      // Not an IP address: the socket's peer (127.0.0.1 here), whatever the spelling.
      unknown: ["_hidden", "1.2.3.4.5", "999.1.1.1", "[::1", "203.0.113.4:http", "127.0.0.1"],
    };
    for (const [first, others] of Object.entries(spellings)) {
      expect(await statusFor(first), first).toBe(200);
      for (const other of others) expect(await statusFor(other), `${other} counts as ${first}`).toBe(429);
    }
  });

  it("a custom clientKey partitions limits by what it returns", async () => {
    const clientKey = (req: { get(name: string): string | undefined }) => req.get("x-tenant");
    const { app } = appWith(hexarch({ guardian: guardianFor(perMinute(1)), secret: SECRET, clientKey }));
    expect((await request(app).get("/").set("x-tenant", "a")).status).toBe(200);
    expect((await request(app).get("/").set("x-tenant", "b")).status).toBe(200);
    expect((await request(app).get("/").set("x-tenant", "a")).status).toBe(429);
  });
});

describe("route scopes", () => {
  it("does not let an upper-case or absolute-form path skip a route scope", async () => {
    const { app, handled } = appWith(hexarch({ guardian: guardianFor(ROUTE_POLICIES), secret: SECRET }));
    const server = await listening(createServer(app));
    try {
      for (const target of ["/ADMIN/x", "/Admin/x", "http://h/admin/x", "/admin//x/", "/%61dmin/x"]) {
        expect((await sendRaw(server, "GET", target)).status, `GET ${target}`).toBe(403);
      }
      for (const target of ["/USERS/1", "http://h/users/1", "/users/1/"]) {
        expect((await sendRaw(server, "DELETE", target)).status, `DELETE ${target}`).toBe(428);
      }
      expect(handled()).toBe(0);
    } finally {
      server.close();
    }
  });

  it("does not let /ADMIN/x past a route: /admin/* rule when case sensitive routing is on but a default Router serves it", async () => {
    const app = express();
    app.set("case sensitive routing", true);
    app.use(hexarch({ guardian: guardianFor(ROUTE_POLICIES), secret: SECRET }));
    // A Router made with defaults matches without case, whatever the app's setting says.
    const router = express.Router();
    let handled = 0;
    router.get("/admin/:x", (_req, res) => void (handled++, res.send("admin")));
    app.use(router);
    for (const target of ["/ADMIN/x", "/Admin/x", "/admin/x"]) expect((await request(app).get(target)).status, target).toBe(403);
    expect(handled).toBe(0);
  });
});
