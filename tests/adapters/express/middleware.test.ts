// hexarch() and guard() on real Express 5: start-up validation, events, custom answers, app confirmation, charge().
import express from "express";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { describe, expect, it, vi } from "vitest";
import { guard, hexarch } from "../../../src/adapters/express.js";
import type { Decision } from "../../../src/engine/decision.js";
import { configErrorOf as configError } from "../next/route.js";
import { appWith, guardianFor, perMinute, QUICK_START, SECRET } from "./app.js";

describe("start-up validation", () => {
  it("an unknown option names the nearest known one", () => {
    const error = configError(() => hexarch({ guardian: guardianFor(), heders: false } as never));
    expect(error.problems[0]).toMatchObject({ path: "hexarch().heders", fix: 'did you mean "headers"?' });
  });

  it("every wrong type and bad value is reported at once", () => {
    const error = configError(() =>
      hexarch({ guardian: guardianFor(), ipv6Prefix: 200, confirmTtl: -1, secret: "short", cost: "3", headers: { legasy: true } } as never),
    );
    expect(error.problems.map((p) => p.path).sort()).toEqual([
      "hexarch().confirmTtl",
      "hexarch().cost",
      "hexarch().headers.legasy",
      "hexarch().ipv6Prefix",
      "hexarch().secret",
    ]);
  });

  it("a guardian together with guardian options is refused", () => {
    const error = configError(() => hexarch({ guardian: guardianFor(), policyFile: "x.yaml" }));
    expect(error.problems[0]?.message).toContain("policyFile");
  });

  it("a broken policy file throws when hexarch() is created, never per request", () => {
    const error = configError(() => hexarch({ policyText: "policies:\n  - id: x\n    rules:\n      - requests_per_minite: 5\n" }));
    expect(error.message).toContain("requests_per_minute");
  });

  it("guard() with an unknown id lists the known ids", () => {
    const mw = hexarch({ guardian: guardianFor(), secret: SECRET });
    const error = configError(() => mw.guard("safe_delet"));
    expect(error.problems[0]?.fix).toBe("use one of: api_budget, rate_limit, safe_delete");
  });

  it("does not answer express-rate-limit's { windowMs, limit } with a bare list of known options", () => {
    const error = configError(() => hexarch({ guardian: guardianFor(), windowMs: 60_000, limit: 100, keyGenerator: () => "k" } as never));
    expect(error.problems.map((p) => p.path)).toEqual(["hexarch().windowMs", "hexarch().limit", "hexarch().keyGenerator"]);
    for (const p of error.problems) expect(p.fix).toContain('README, "Coming from express-rate-limit"');
    expect(error.problems[0]?.fix).toContain("requests_per_minute");
    expect(error.problems[2]?.fix).toContain("clientKey");
  });

  it("does not start with a HEXARCH_SECRET shorter than 16 characters", () => {
    vi.stubEnv("HEXARCH_SECRET", "short-secret");
    try {
      const error = configError(() => hexarch({ guardian: guardianFor() }));
      expect(error.problems).toEqual([
        expect.objectContaining({ file: "<environment>", path: "HEXARCH_SECRET", message: "the secret is 12 characters long" }),
      ]);
      expect(error.message).toContain("use at least 16 random characters");
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("an unknown mode is refused", () => {
    expect(() => hexarch({ policyText: QUICK_START, mode: "strickt" as never })).toThrow(/did you mean "strict"/);
  });
});

describe("requests", () => {
  it("allowed requests reach the handler with headers and res.locals.hexarch", async () => {
    const guardian = guardianFor();
    const app = express();
    app.use(hexarch({ guardian, secret: SECRET }));
    app.get("/", (_req, res) => res.json({ decisions: res.locals.hexarch?.decisions.map((d) => d.outcome) }));
    const answer = await request(app).get("/");
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ decisions: ["allow"] });
    expect(answer.headers["ratelimit"]).toMatch(/^"rate_limit";r=99;/);
  });

  it("the handler never runs for a refusal", async () => {
    const { app, handled } = appWith(hexarch({ guardian: guardianFor(perMinute(1)), secret: SECRET }));
    await request(app).get("/");
    await request(app).get("/");
    await request(app).delete("/x");
    expect(handled()).toBe(1);
  });

  it("onDecision sees every decision with the request; the logger hears refusals and warnings", async () => {
    const seen: string[] = [];
    const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const onDecision = (decision: Decision, req: express.Request) => seen.push(`${req.method} ${decision.outcome}`);
    const { app } = appWith(hexarch({ guardian: guardianFor(perMinute(1)), secret: SECRET, onDecision, logger }));
    await request(app).get("/");
    await request(app).get("/");
    expect(seen).toEqual(["GET allow", "GET limit"]);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0]?.[1]).toContain("limit: Policy 'per_minute' limit reached");
    expect(logger.warn.mock.calls[0]?.[0]).toMatchObject({
      method: "GET",
      url: "/",
      hexarch: { outcome: "limit", policyId: "per_minute" },
    });
  });

  it("a budget past its threshold passes with a warn decision event", async () => {
    const seen: Decision[] = [];
    const mw = hexarch({ guardian: guardianFor(), secret: SECRET, onDecision: (d) => seen.push(d) });
    const { app } = appWith(mw.guard("api_budget", { resource: "openai", cost: 8 }));
    const answer = await request(app).post("/chat");
    expect(answer.status).toBe(200);
    expect(answer.headers["hexarch-budget-warning"]).toMatch(/^"api_budget";spent=8;limit=10;reset=\d+$/);
    expect(seen.map((d) => d.outcome)).toEqual(["warn"]);
    expect(seen[0]?.warnings[0]?.kind).toBe("budget");
  });

  it("a rule whose action is warn lets the call through with a warn decision", async () => {
    const policies = `policies:\n  - id: heads_up\n    rules:\n      - operation: delete\n        action: warn\n`;
    const seen: Decision[] = [];
    const { app, handled } = appWith(hexarch({ guardian: guardianFor(policies), secret: SECRET, onDecision: (d) => seen.push(d) }));
    expect((await request(app).delete("/x")).status).toBe(200);
    expect(handled()).toBe(1);
    expect(seen.map((d) => [d.outcome, d.warnings[0]?.kind])).toEqual([["warn", "rule"]]);
  });

  it("onDenied replaces the answer; hexarch's headers are already set", async () => {
    const onDenied = vi.fn(({ res, answer }: { res: express.Response; answer: { status: number } }) => {
      res.status(answer.status).type("text/plain").send("slow down");
    });
    const { app } = appWith(hexarch({ guardian: guardianFor(perMinute(1)), secret: SECRET, onDenied }));
    await request(app).get("/");
    const answer = await request(app).get("/");
    expect(answer.status).toBe(429);
    expect(answer.text).toBe("slow down");
    expect(answer.headers["retry-after"]).toMatch(/^\d+$/);
    expect(onDenied).toHaveBeenCalledTimes(1);
  });

  it("does not leave an async onDenied's rejection unhandled: it reaches the app's error handler", async () => {
    const onDenied = async (): Promise<void> => {
      await Promise.resolve();
      throw new Error("refusal page unavailable");
    };
    const { app } = appWith(hexarch({ guardian: guardianFor(perMinute(1)), secret: SECRET, onDenied }));
    app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).json({ caught: error.message });
    });
    await request(app).get("/");
    const answer = await request(app).get("/");
    expect([answer.status, answer.body]).toEqual([500, { caught: "refusal page unavailable" }]);
  });

  it("skip leaves matching requests alone: no decision, no counting, no headers", async () => {
    const { app } = appWith(hexarch({ guardian: guardianFor(perMinute(1)), secret: SECRET, skip: (req) => req.path === "/health" }));
    for (let i = 0; i < 3; i++) expect((await request(app).get("/health")).headers["ratelimit"]).toBeUndefined();
    expect((await request(app).get("/")).status).toBe(200);
  });

  it("confirm: (req) => boolean replaces tokens; the 428 then carries no token", async () => {
    const confirm = (req: express.Request) => req.get("x-approved") === "yes";
    const { app, handled } = appWith(hexarch({ guardian: guardianFor(), confirm }));
    const refused = await request(app).delete("/users/1");
    expect(refused.status).toBe(428);
    expect(refused.body.confirm).toEqual({ how: expect.stringContaining("confirm the operation") });
    expect((await request(app).delete("/users/1").set("x-approved", "yes")).status).toBe(200);
    expect(handled()).toBe(1);
  });

  it("operation can be set per route; HEAD is a read", async () => {
    const policies = `policies:\n  - id: no_exports\n    rules:\n      - operation: export\n        action: block\n`;
    const mw = hexarch({ guardian: guardianFor(policies), secret: SECRET });
    const app = express();
    app.get("/report.csv", mw.guard("no_exports", { operation: "export" }), (_req, res) => res.send("a,b"));
    app.get("/report", mw.guard("no_exports", { operation: (req) => (req.query["format"] === "csv" ? "export" : "read") }), (_req, res) =>
      res.send("ok"),
    );
    expect((await request(app).get("/report.csv")).status).toBe(403);
    expect((await request(app).get("/report?format=csv")).status).toBe(403);
    expect((await request(app).get("/report")).status).toBe(200);
    expect((await request(app).head("/report")).status).toBe(200);
  });

  it("user, roles and facts come from the request", async () => {
    const policies = `policies:\n  - id: ops\n    rules:\n      - allowed_roles: [ops]\n      - require_facts: { backup_verified: true }\n`;
    const mw = hexarch({ guardian: guardianFor(policies), secret: SECRET });
    const app = express();
    app.use(
      mw.guard("ops", {
        user: (req) => req.get("x-user"),
        roles: (req) => req.get("x-roles")?.split(","),
        facts: (req) => ({ backup_verified: req.get("x-backup") === "ok" }),
      }),
    );
    app.use((_req, res) => res.send("done"));
    expect((await request(app).get("/").set("x-user", "ann").set("x-roles", "dev")).body.kind).toBe("access");
    expect((await request(app).get("/").set("x-user", "ann").set("x-roles", "ops")).body.kind).toBe("facts");
    expect((await request(app).get("/").set("x-user", "ann").set("x-roles", "ops").set("x-backup", "ok")).status).toBe(200);
  });

  it("hexarch() and guard() on one route: one confirmation token serves both", async () => {
    const mw = hexarch({ guardian: guardianFor(), secret: SECRET });
    const app = express();
    app.use(mw);
    app.delete("/users/:id", mw.guard("safe_delete"), (_req, res) => res.json({ decisions: res.locals.hexarch?.decisions.length }));
    const first = await request(app).delete("/users/1");
    const second = await request(app).delete("/users/1").set("Hexarch-Confirm", first.body.confirm.token);
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ decisions: 2 });
  });

  it("warns once when a policy is counted twice for one request", async () => {
    const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const mw = hexarch({ guardian: guardianFor(), secret: SECRET, logger });
    const app = express();
    app.use(mw);
    app.get("/", mw.guard("rate_limit"), (_req, res) => res.send("ok"));
    await request(app).get("/");
    expect(logger.warn.mock.calls.some(([object]) => (object as { code?: string }).code === "HEXARCH_COUNTED_TWICE")).toBe(true);
  });

  it("charge() settles the real cost through res.locals.hexarch", async () => {
    const guardian = guardianFor();
    const mw = hexarch({ guardian, secret: SECRET });
    const app = express();
    app.post("/chat", mw.guard("api_budget", { resource: "openai", cost: 5 }), async (_req, res) => {
      await res.locals.hexarch?.charge(0.5);
      res.send("ok");
    });
    for (let i = 0; i < 4; i++) expect((await request(app).post("/chat")).status).toBe(200);
    const fifth = await request(app).post("/chat");
    expect(fifth.status).toBe(200);
    expect(fifth.headers["hexarch-budget-warning"]).toBeUndefined();
  });
});

describe("guard() without hexarch()", () => {
  it("creates the shared guardian once from the discovered policy file", async () => {
    vi.resetModules();
    const folder = mkdtempSync(join(tmpdir(), "hexarch-guard-"));
    writeFileSync(join(folder, "hexarch.yaml"), QUICK_START);
    vi.stubEnv("HEXARCH_POLICY_FILE", join(folder, "hexarch.yaml"));
    vi.stubEnv("HEXARCH_SECRET", SECRET);
    try {
      const fresh = (await import("../../../src/adapters/express.js")) as { guard: typeof guard };
      const app = express();
      app.delete("/a", fresh.guard("safe_delete"), (_req, res) => res.send("a"));
      app.delete("/b", fresh.guard("safe_delete"), (_req, res) => res.send("b"));
      const first = await request(app).delete("/a");
      expect(first.status).toBe(428);
      expect((await request(app).delete("/a").set("Hexarch-Confirm", first.body.confirm.token)).status).toBe(200);
      expect(() => fresh.guard("nope")).toThrow(/use one of: api_budget, rate_limit, safe_delete/);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
