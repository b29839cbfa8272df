// `hexarch replay` on a log an Express app wrote: the same file reproduces every outcome, a lowered limit changes exactly its excess.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import express from "express";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hexarch } from "../../src/adapters/express.js";
import { createGuardian } from "../../src/index.js";
import { runHexarch, tempProject } from "./run-hexarch.js";

const SECRET = "replay-tests-secret-0123456789";
const policyText = (apiLimit: number, logFile: string): string => `policies:
  - id: api_rate
    rules:
      - route: "/api/*"
        requests_per_minute: ${apiLimit}
  - id: ai_budget
    rules:
      - resource: "openai"
        daily_budget: 3
  - id: office_hours
    rules:
      - route: "/admin/*"
        allowed_hours: ["09:00-17:00"]
        timezone: "UTC"
  - id: safe_delete
    rules:
      - operation: "delete"
        action: "require_confirmation"
logging:
  file: ${JSON.stringify(logFile)}
  level: info
`;

/** One request the test made: when, from whom, to which path, and the status it got. */
interface Sent {
  readonly at: number;
  readonly client: string;
  readonly path: string;
  readonly status: number;
}

interface ReplayJson {
  total: number;
  unchanged: number;
  changed: number;
  by_transition: Record<string, number>;
  by_policy: Record<string, number>;
  notes: string[];
  changes: { time: string; client: string; route: string; before: string; after: string; policy: string }[];
}

let project: ReturnType<typeof tempProject>;
let logPath: string;
const sent: Sent[] = [];

/** Real traffic: two clients on /api (one past 5 a minute, one at 3), a budget, a time window opening at 09:00, a confirmation. */
beforeAll(async () => {
  project = tempProject();
  logPath = join(project.dir, "replay.log");
  writeFileSync(join(project.dir, "hexarch.yaml"), policyText(5, logPath));
  writeFileSync(join(project.dir, "lowered.yaml"), policyText(3, logPath));
  let now = Date.parse("2026-12-01T08:58:00Z");
  const guardian = createGuardian({ policyFile: join(project.dir, "hexarch.yaml"), env: {}, clock: () => now });
  const mw = hexarch({ guardian, secret: SECRET, clientKey: (req) => req.get("x-client") });
  const app = express();
  app.post("/ai/complete", mw.guard("ai_budget", { resource: "openai", cost: 1 }), (_req, res) => res.json({ ok: true }));
  app.use(mw);
  app.use((_req, res) => res.json({ ok: true }));
  const send = async (method: "get" | "delete", client: string, path: string, token?: string): Promise<request.Response> => {
    const call = request(app)[method](path).set("x-client", client);
    const answer = await (token === undefined ? call : call.set("Hexarch-Confirm", token));
    sent.push({ at: now, client, path, status: answer.status });
    return answer;
  };
  for (let i = 0; i < 40; i += 1) {
    now += 7_000;
    await send("get", "fast", `/api/items/${i}`);
    if (i % 3 === 0) await send("get", "slow", "/api/items");
    if (i % 4 === 0) await send("get", "fast", "/admin/stats");
    if (i % 5 === 0) {
      const answer = await request(app).post("/ai/complete").set("x-client", "fast").send({ prompt: "hi" });
      sent.push({ at: now, client: "fast", path: "/ai/complete", status: answer.status });
    }
    if (i === 12) {
      const first = await send("delete", "slow", "/api/items/7");
      await send("delete", "slow", "/api/items/7", (first.body as { confirm: { token: string } }).confirm.token);
    }
  }
  await guardian.close();
});
afterAll(() => project.remove());

/** Which /api requests a fixed window of `limit` a minute per client lets through, counted here from the requests alone. */
function admittedUnder(limit: number): Set<Sent> {
  const admitted = new Set<Sent>();
  const windows = new Map<string, { start: number; used: number }>();
  for (const call of sent) {
    // Refused before counting (428 asks for a confirmation): never reaches the counter.
    if (!call.path.startsWith("/api/") || call.status === 428) continue;
    let window = windows.get(call.client);
    if (window === undefined || call.at >= window.start + 60_000) windows.set(call.client, (window = { start: call.at, used: 0 }));
    if (window.used < limit) {
      window.used += 1;
      admitted.add(call);
    }
  }
  return admitted;
}

describe("hexarch replay against an Express app's log", () => {
  it("the traffic hit every kind of rule: limits, the budget, the time window and the confirmation", () => {
    const statuses = (path: string): Set<number> => new Set(sent.filter((s) => s.path.startsWith(path)).map((s) => s.status));
    expect(statuses("/api/")).toEqual(new Set([200, 429, 428]));
    expect(statuses("/ai/")).toEqual(new Set([200, 429]));
    expect(statuses("/admin/")).toEqual(new Set([200, 403]));
  });

  it("replaying the file the log was written under reproduces every recorded outcome", async () => {
    const run = await runHexarch(["replay", "hexarch.yaml", "--log", "replay.log", "--json", "--fail-on-change"], { cwd: project.dir });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as ReplayJson;
    expect(result).toMatchObject({ total: sent.length, unchanged: sent.length, changed: 0, changes: [], notes: [] });
  });

  it("a lowered limit changes exactly the decisions past it, and nothing else", async () => {
    const run = await runHexarch(["replay", "lowered.yaml", "--log", "replay.log", "--json", "--fail-on-change"], { cwd: project.dir });
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout) as ReplayJson;
    const before = admittedUnder(5);
    const after = admittedUnder(3);
    const expected = [...before].filter((call) => !after.has(call));
    expect(expected.length).toBeGreaterThan(3);
    expect(result.changed).toBe(expected.length);
    expect(result.by_transition).toEqual({ "allow → limit": expected.length });
    expect(result.by_policy).toEqual({ api_rate: expected.length });
    expect(result.changes.map((c) => `${Date.parse(c.time)} ${c.client} ${c.route}`)).toEqual(
      expected.map((call) => `${call.at} ${call.client} ${call.path}`),
    );
  });

  it("--policy compares only the decisions a policy made or was asked for by name", async () => {
    const json = async (policy: string): Promise<ReplayJson> =>
      JSON.parse(
        (await runHexarch(["replay", "lowered.yaml", "--log", "replay.log", "--policy", policy, "--json"], { cwd: project.dir })).stdout,
      ) as ReplayJson;
    // guard("ai_budget") names the policy on every /ai call, allowed or refused.
    expect(await json("ai_budget")).toMatchObject({ total: sent.filter((s) => s.path.startsWith("/ai/")).length, changed: 0 });
    expect(await json("office_hours")).toMatchObject({
      total: sent.filter((s) => s.path.startsWith("/admin/") && s.status === 403).length,
    });
    expect((await json("api_rate")).changed).toBe(admittedUnder(5).size - admittedUnder(3).size);
  });

  it("prints the summary and each changed decision, newest last, for people", async () => {
    const run = await runHexarch(["replay", "lowered.yaml", "--log", "replay.log"], { cwd: project.dir });
    expect(run.stdout).toMatch(/^\d+ decisions replayed: \d+ unchanged, \d+ changed$/m);
    expect(run.stdout).toMatch(/^ {2}allow → limit {2}\d+$/m);
    expect(run.stdout).toMatch(/^2026-12-01T\S+ {2}\S+ {2}GET {2}\/api\/items\/\d+ {2}client fast {2}allow → limit {2}api_rate: /m);
    expect(run.code).toBe(0);
  });
});
