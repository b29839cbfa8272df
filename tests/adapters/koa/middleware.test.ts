// hexarch() and guard() on real Koa 3 with @koa/router: start-up validation, ctx.state.hexarch, ctx.ip, custom answers.
import { processGuardian } from "../../../src/guardian/process-guardian.js";
import Router from "@koa/router";
import Koa from "koa";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { describe, expect, it, vi } from "vitest";
import { guard, hexarch } from "../../../src/adapters/koa.js";
import { configErrorOf, guardianFor, jsonBody, koaAppWith, perMinute, QUICK_START, SECRET } from "./app.js";

describe("start-up validation", () => {
  it("an unknown option names the nearest known one; wrong types are all reported at once", () => {
    const typo = configErrorOf(() => hexarch({ guardian: guardianFor(), heders: false } as never));
    expect(typo.problems[0]).toMatchObject({ path: "hexarch().heders", fix: 'did you mean "headers"?' });
    const many = configErrorOf(() => hexarch({ guardian: guardianFor(), ipv6Prefix: 200, cost: "3", onDenied: "no" } as never));
    expect(many.problems.map((p) => p.path).sort()).toEqual(["hexarch().cost", "hexarch().ipv6Prefix", "hexarch().onDenied"]);
  });

  it("a broken policy file throws when hexarch() is created, never per request", () => {
    const error = configErrorOf(() => hexarch({ policyText: "policies:\n  - id: x\n    rules:\n      - requests_per_minite: 5\n" }));
    expect(error.message).toContain("requests_per_minute");
  });

  it("guard() with an unknown id lists the known ids", () => {
    const mw = hexarch({ guardian: guardianFor(), secret: SECRET });
    expect(configErrorOf(() => mw.guard("safe_delet")).problems[0]?.fix).toBe("use one of: api_budget, rate_limit, safe_delete");
  });
});

describe("requests", () => {
  it("allowed requests reach downstream middleware with headers and ctx.state.hexarch", async () => {
    const app = new Koa();
    app.use(hexarch({ guardian: guardianFor(), secret: SECRET }));
    app.use((ctx) => {
      ctx.body = { decisions: ctx.state.hexarch?.decisions.map((d) => d.outcome) };
    });
    const answer = await request(app.callback()).get("/");
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ decisions: ["allow"] });
    expect(answer.headers["ratelimit"]).toMatch(/^"rate_limit";r=99;/);
  });

  it("a refusal is a problem+json body, and downstream middleware never runs", async () => {
    const { app, handled } = koaAppWith(hexarch({ guardian: guardianFor(perMinute(1)), secret: SECRET }));
    await request(app.callback()).get("/");
    const refused = await request(app.callback()).get("/");
    expect(refused.status).toBe(429);
    expect(refused.headers["content-type"]).toBe("application/problem+json");
    expect(refused.body).toMatchObject({ type: "urn:hexarch:problem:rate-limited", policy: "per_minute" });
    expect(handled()).toBe(1);
  });

  it("@koa/router: DELETE with guard('safe_delete') answers 428, then passes once with the token", async () => {
    // As in a fresh process: this file's hexarch() fills the process-wide guardian the bare guard() below shares
    // (other files of this worker may have filled it first).
    await processGuardian.close();
    const app = new Koa();
    const router = new Router();
    const removed: string[] = [];
    app.use(jsonBody);
    app.use(hexarch({ guardian: guardianFor(), secret: SECRET }));
    router.delete("/users/:id", guard("safe_delete"), (ctx) => {
      removed.push(ctx.params["id"] as string);
      ctx.body = { deleted: ctx.params["id"] };
    });
    app.use(router.routes());
    const first = await request(app.callback()).delete("/users/7");
    expect(first.status).toBe(428);
    expect(first.body.confirm.header).toBe("Hexarch-Confirm");
    const confirmed = await request(app.callback()).delete("/users/7").set("Hexarch-Confirm", first.body.confirm.token);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toEqual({ deleted: "7" });
    const replay = await request(app.callback()).delete("/users/7").set("Hexarch-Confirm", first.body.confirm.token);
    expect(replay.body.confirm.rejected).toBe("used");
    expect(removed).toEqual(["7"]);
  });

  it("onDenied replaces the answer; the policy headers are already set on ctx, the content type is left to it", async () => {
    const { app } = koaAppWith(
      hexarch({
        guardian: guardianFor(perMinute(1)),
        secret: SECRET,
        onDenied: ({ ctx, decision }) => {
          ctx.status = 418;
          ctx.body = `no: ${decision.policyId}`;
        },
      }),
    );
    await request(app.callback()).get("/");
    const denied = await request(app.callback()).get("/");
    expect(denied.status).toBe(418);
    expect(denied.text).toBe("no: per_minute");
    expect(denied.headers["content-type"]).toMatch(/^text\/plain/);
    expect(denied.headers["retry-after"]).toMatch(/^\d+$/);
    expect(denied.headers["ratelimit"]).toMatch(/^"per_minute";r=0;/);
  });

  it("confirm: (ctx) => boolean replaces tokens; the 428 then carries no token", async () => {
    const { app } = koaAppWith(hexarch({ guardian: guardianFor(), secret: SECRET, confirm: (ctx) => ctx.get("x-approved") === "yes" }));
    const first = await request(app.callback()).delete("/users/1");
    expect(first.status).toBe(428);
    expect(first.body.confirm.token).toBeUndefined();
    expect((await request(app.callback()).delete("/users/1").set("x-approved", "yes")).status).toBe(200);
  });

  it("an error thrown downstream reaches Koa's error handling untouched", async () => {
    const app = new Koa();
    app.silent = true;
    app.use(hexarch({ guardian: guardianFor(), secret: SECRET }));
    app.use(() => {
      throw Object.assign(new Error("teapot"), { status: 418, expose: true });
    });
    const answer = await request(app.callback()).get("/");
    expect(answer.status).toBe(418);
    expect(answer.text).toBe("teapot");
  });
});

describe("client identity: ctx.ip, so app.proxy decides", () => {
  const sendFrom = (app: Koa, ip: string) => request(app.callback()).get("/").set("X-Forwarded-For", ip);

  it("with app.proxy off, spoofed X-Forwarded-For values all count as the one peer", async () => {
    const { app } = koaAppWith(hexarch({ guardian: guardianFor(perMinute(2)), secret: SECRET }));
    const statuses = [
      (await sendFrom(app, "203.0.113.1")).status,
      (await sendFrom(app, "203.0.113.2")).status,
      (await sendFrom(app, "203.0.113.3")).status,
    ];
    expect(statuses).toEqual([200, 200, 429]);
  });

  it("with app.proxy on, X-Forwarded-For names the client; IPv6 is grouped by /64", async () => {
    const { app } = koaAppWith(hexarch({ guardian: guardianFor(perMinute(1)), secret: SECRET }), (a) => (a.proxy = true));
    const statuses: number[] = [];
    for (const ip of ["203.0.113.1", "203.0.113.2", "203.0.113.1", "2001:db8:1:2::1", "2001:db8:1:2:ffff::9"])
      statuses.push((await sendFrom(app, ip)).status);
    expect(statuses).toEqual([200, 200, 429, 200, 429]);
  });

  it("maxIpsCount limits how far left Koa reads X-Forwarded-For", async () => {
    const { app } = koaAppWith(hexarch({ guardian: guardianFor(perMinute(1)), secret: SECRET }), (a) => {
      a.proxy = true;
      a.maxIpsCount = 1;
    });
    expect([(await sendFrom(app, "1.1.1.1, 203.0.113.9")).status, (await sendFrom(app, "2.2.2.2, 203.0.113.9")).status]).toEqual([
      200, 429,
    ]);
  });
});

describe("guard() without hexarch()", () => {
  it("creates the shared Koa guardian once from the discovered policy file", async () => {
    vi.resetModules();
    const folder = mkdtempSync(join(tmpdir(), "hexarch-koa-"));
    writeFileSync(join(folder, "hexarch.yaml"), QUICK_START);
    vi.stubEnv("HEXARCH_POLICY_FILE", join(folder, "hexarch.yaml"));
    vi.stubEnv("HEXARCH_SECRET", SECRET);
    try {
      const fresh = (await import("../../../src/adapters/koa.js")) as { guard: typeof guard };
      const app = new Koa();
      const router = new Router();
      router.delete("/a", fresh.guard("safe_delete"), (ctx) => (ctx.body = "a"));
      router.delete("/b", fresh.guard("safe_delete"), (ctx) => (ctx.body = "b"));
      app.use(router.routes());
      const first = await request(app.callback()).delete("/a");
      expect(first.status).toBe(428);
      expect((await request(app.callback()).delete("/a").set("Hexarch-Confirm", first.body.confirm.token)).status).toBe(200);
      expect(() => fresh.guard("nope")).toThrow(/use one of: api_budget, rate_limit, safe_delete/);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
