// Policies written in code: typed like the file, checked like the file with key paths, joined with a file, per-call limits.
import express from "express";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { hexarch } from "../../../src/adapters/express.js";
import { createGuardian } from "../../../src/guardian/create-guardian.js";
import { PolicyConfigError } from "../../../src/errors/config-error.js";
import { configErrorOf as configError } from "../../adapters/next/route.js";
import type { CodePolicy } from "../../../src/engine/config/code-policies.js";

const FILE = 'policies:\n  - id: "api"\n    rules:\n      - requests_per_minute: 5\n';

describe("policies in code", () => {
  it("enforce a rate limit with no policy file at all", async () => {
    const guardian = createGuardian({ cwd: "/", env: {}, policies: [{ id: "api", rules: [{ requests_per_minute: 2 }] }] });
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push((await guardian.check("api", { client: "c" })).outcome);
    expect(outcomes).toEqual(["allow", "allow", "limit"]);
  });

  it("report a misspelt key by its key path, with the nearest key", () => {
    const policies = [{ id: "api", rules: [{ requests_per_minite: 5 }] }] as unknown as CodePolicy[];
    const error = configError(() => createGuardian({ env: {}, policies }));
    expect(error.problems[0]).toMatchObject({
      file: "<options>",
      path: "policies[0].rules[0].requests_per_minite",
      message: 'unknown key "requests_per_minite"',
    });
    expect(error.problems[0]?.fix).toContain('did you mean "requests_per_minute"?');
  });

  it("run the file's semantic checks too", () => {
    const error = configError(() => createGuardian({ env: {}, policies: [{ id: "api", rules: [{ operation: "read", cost: 2 }] }] }));
    expect(error.problems[0]).toMatchObject({ path: "policies[0].rules[0].cost", message: "cost only counts against a budget" });
  });

  it("sit beside a named file, file policies first", async () => {
    const guardian = createGuardian({
      env: {},
      policyText: FILE,
      policies: [{ id: "deletes", rules: [{ operation: "delete", action: "require_confirmation" }] }],
    });
    expect([...guardian.policies.policies.keys()]).toEqual(["api", "deletes"]);
    expect((await guardian.evaluate({ operation: "delete", client: "c" })).outcome).toBe("confirm");
  });

  it("refuse an id the file already uses, naming both places", () => {
    const error = configError(() =>
      createGuardian({
        env: {},
        policyText: FILE,
        policyFile: "hexarch.yaml",
        policies: [{ id: "api", rules: [{ requests_per_hour: 9 }] }],
      }),
    );
    expect(error.problems[0]).toMatchObject({
      file: "<options>",
      path: "policies[0].id",
      message: 'policy id "api" is also defined at hexarch.yaml:2:9',
    });
  });

  it("are accepted by createGuardian without discovering a file", () => {
    expect(() => createGuardian({ cwd: "/", env: {}, policies: [] })).not.toThrow();
  });

  it("guard an Express app through hexarch({ policies })", async () => {
    const app = express();
    app.use(hexarch({ cwd: "/", env: {}, policies: [{ id: "api", rules: [{ requests_per_minute: 1 }] }] }));
    app.use((_req, res) => void res.end());
    expect((await request(app).get("/")).status).toBe(200);
    expect((await request(app).get("/")).status).toBe(429);
  });
});

describe("per-call limits", () => {
  const plans = (): CodePolicy[] => [{ id: "plans", rules: [{ requests_per_minute: (ctx) => (ctx.user === "pro" ? 3 : 1) }] }];

  it("limit each call by what the function returns, under one counter per client", async () => {
    const guardian = createGuardian({ env: {}, policies: plans() });
    expect((await guardian.check("plans", { client: "a", user: "free" })).outcome).toBe("allow");
    expect((await guardian.check("plans", { client: "a", user: "free" })).outcome).toBe("limit");
    const pro = await guardian.check("plans", { client: "a", user: "pro" });
    expect(pro.outcome).toBe("allow");
    expect(pro.counters?.[0]).toMatchObject({ limit: 3, used: 2 });
    expect(guardian.policies.rules[0]?.rule.ref.summary).toBe("a per-call limit of requests per minute per client");
  });

  it("throw a located PolicyConfigError for a value that is not a limit", async () => {
    const guardian = createGuardian({ env: {}, policies: [{ id: "bad", rules: [{ requests_per_second: () => 2.5 }] }] });
    const error = await guardian.check("bad", { client: "a" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PolicyConfigError);
    expect((error as PolicyConfigError).problems[0]).toMatchObject({
      file: "<options>",
      policyId: "bad",
      path: "policies[0].rules[0].requests_per_second",
      message: "the limit function returned 2.5, not a limit",
    });
  });

  it("keeps one counter per client whatever the limit", () => {
    const guardian = createGuardian({ env: {}, policies: plans() });
    const [free] = guardian.countersFor({ client: "a", user: "free" }, ["plans"]);
    const [pro] = guardian.countersFor({ client: "a", user: "pro" }, ["plans"]);
    expect(free?.key).toBe(pro?.key);
  });

  it("checks each distinct value once and reuses its counter", () => {
    const guardian = createGuardian({ env: {}, policies: plans() });
    const counter = guardian.policies.rules[0]?.rule.counters[0];
    if (counter?.kind !== "rate" || counter.perCall === undefined) throw new Error("expected a per-call rate counter");
    expect(counter.perCall({ user: "free" })).toBe(counter.perCall({ user: "someone" }));
    expect(counter.perCall({ user: "pro" }).limit).toBe(3);
  });
});
