// `hexarch log verify` and `hexarch log query` against a log a guardian really wrote, found through the policy file.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGuardian } from "../../src/index.js";
import { quickstartWithLogging } from "../unit/log/log-support.js";
import { runHexarch, tempProject } from "./run-hexarch.js";

let project: ReturnType<typeof tempProject>;
let logPath: string;

beforeAll(async () => {
  project = tempProject();
  writeFileSync(
    join(project.dir, "hexarch.yaml"),
    quickstartWithLogging(["enabled: true", "level: info", 'file: ".hexarch/guardrails.log"']),
  );
  const guardian = createGuardian({ policyFile: join(project.dir, "hexarch.yaml"), env: {} });
  await guardian.check("rate_limit", { client: "203.0.113.9", route: "/items", method: "GET" });
  await guardian.check("safe_delete", { operation: "delete", route: "/items/7", method: "DELETE", user: "alice" });
  await guardian.check("api_budget", { resource: "openai", cost: 2.5 });
  await guardian.close();
  logPath = join(project.dir, ".hexarch/guardrails.log");
});
afterAll(() => project.remove());

describe("hexarch log", () => {
  it("verify finds the log through the policy file and exits 0 when the chain is intact, 1 naming an edited record", async () => {
    const intact = await runHexarch(["log", "verify"], { cwd: project.dir });
    expect(intact.stdout).toMatch(/^intact chain [0-9a-f-]{36} \(.+\): 4 records to seq 3, 1 checkpoint$/m);
    expect(intact.code).toBe(0);
    const lines = readFileSync(logPath, "utf8").split("\n");
    lines[2] = (lines[2] ?? "").replace('"alice"', '"mallory"');
    writeFileSync(logPath, lines.join("\n"));
    const edited = await runHexarch(["log", "verify", ".hexarch/guardrails.log", "--json"], { cwd: project.dir });
    expect(edited.code).toBe(1);
    const report = JSON.parse(edited.stdout) as { ok: boolean; problems: { where: string; what: string; seq: number }[] };
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toMatchObject({ where: expect.stringMatching(/guardrails\.log:3$/), what: "edited", seq: 2 });
    lines[2] = (lines[2] ?? "").replace('"mallory"', '"alice"');
    writeFileSync(logPath, lines.join("\n"));
  });

  it("query filters decisions, prints them as JSON lines, and sums them up per policy and outcome", async () => {
    const refused = await runHexarch(["log", "query", "--outcome", "confirm", "--json"], { cwd: project.dir });
    expect(refused.code).toBe(0);
    const records = refused.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toEqual([
      expect.objectContaining({ outcome: "confirm", policy: "safe_delete", context: expect.objectContaining({ user: "alice" }) }),
    ]);
    const summary = await runHexarch(["log", "query", "--summary"], { cwd: project.dir });
    expect(summary.code).toBe(0);
    expect(summary.stdout).toMatch(/^POLICY\s+ALLOW\s+WARN\s+CONFIRM\s+LIMIT\s+DENY\s+ERROR$/m);
    expect(summary.stdout).toMatch(/^safe_delete\s+0\s+0\s+1\s+0\s+0\s+0$/m);
    expect(summary.stdout).toMatch(/^-\s+2\s+0\s+0\s+0\s+0\s+0$/m);
    expect(summary.stdout).toMatch(/^api_budget\s+\d{4}-\d{2}\s+2\.5$/m);
  });
});
