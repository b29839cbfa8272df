// `hexarch diff`: changes in meaning between two policy files, judged tightened, loosened or changed.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runHexarch, SEED, tempProject } from "./run-hexarch.js";

let project: ReturnType<typeof tempProject> | undefined;
afterEach(() => project?.remove());

/** Writes `old.yaml` (a seed file) and `new.yaml` (the same after `edit`) into a fresh project. */
function oldAndNew(seed: string, edit: (text: string) => string): string {
  project = tempProject();
  const text = readFileSync(join(SEED, seed), "utf8");
  writeFileSync(join(project.dir, "old.yaml"), text);
  writeFileSync(join(project.dir, "new.yaml"), edit(text));
  return project.dir;
}

async function changesOf(dir: string) {
  const run = await runHexarch(["diff", "old.yaml", "new.yaml", "--json"], { cwd: dir });
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout).changes as { policy: string; rule?: number; effect: string; change: string }[];
}

describe("hexarch diff", () => {
  it("reports limits, modes, fail modes, scope, access and windows, each with its effect", async () => {
    const dir = oldAndNew("full_template.yaml", (text) =>
      text
        .replace("requests_per_minute: 100", "requests_per_minute: 60")
        .replace("requests_per_day: 20000", "requests_per_day: 30000")
        .replace("enforcement: warn # log", "enforcement: strict # log")
        .replace("fail: open", "fail: closed")
        .replace('route: ["/api/*"]', 'route: ["/api/*", "/v2/*"]')
        .replace("allowed_users: [alice, bob]", "allowed_users: [alice, bob, carol]")
        .replace('allowed_hours: ["08:00-18:00"]', 'allowed_hours: ["09:00-17:00"]'),
    );
    const changes = await changesOf(dir);
    expect(changes).toContainEqual({ policy: "api_rate_limits", rule: 0, effect: "tightened", change: "requests_per_minute 100 → 60" });
    expect(changes).toContainEqual({ policy: "api_rate_limits", rule: 0, effect: "loosened", change: "requests_per_day 20000 → 30000" });
    expect(changes).toContainEqual({ policy: "api_rate_limits", effect: "tightened", change: "on a store outage: fail open → closed" });
    expect(changes).toContainEqual({
      policy: "api_rate_limits",
      rule: 0,
      effect: "tightened",
      change: "scope covers more calls: route [/api/*] → [/api/*, /v2/*]",
    });
    expect(changes).toContainEqual({
      policy: "llm_spend",
      effect: "tightened",
      change: "enforcement warn → strict (the file's enforcement)",
    });
    expect(changes.find((c) => c.policy === "admin_only" && c.rule === 0)).toMatchObject({
      effect: "loosened",
      change: expect.stringContaining("user:carol"),
    });
    expect(changes).toContainEqual({
      policy: "office_hours_writes",
      rule: 0,
      effect: "tightened",
      change: "allowed_hours [08:00-18:00] → [09:00-17:00] (open 50 h → 40 h a week)",
    });
    expect(changes.filter((c) => c.policy === "api_rate_limits" && c.change.startsWith("enforcement"))).toEqual([]);
  });

  it("reports policies and rules added and removed, pairing reordered rules by scope", async () => {
    const dir = oldAndNew("no_friday_deploys.yaml", (text) => {
      const [head, friday, weekend] = text.split(/(?= {6}- operation)/);
      return `${head}${weekend}${friday}  - id: "no_purge"\n    rules:\n      - operation: purge\n`.replace(
        "forbidden_days: [saturday, sunday]",
        "forbidden_days: [saturday]",
      );
    });
    const changes = await changesOf(dir);
    expect(changes).toEqual([
      {
        policy: "no_destructive_friday",
        rule: 0,
        effect: "loosened",
        change: "forbidden_days [saturday, sunday] → [saturday] (open 120 h → 144 h a week)",
      },
      { policy: "no_purge", effect: "tightened", change: "policy added with 1 rule" },
    ]);
  });

  it("says so when only comments, descriptions and spellings differ", async () => {
    const dir = oldAndNew(
      "business_hours_only.yaml",
      (text) =>
        `# reworded\n${text.replace("Only during business hours", "Office hours").replace("[monday, tuesday, wednesday, thursday, friday]", "[mon, tue, wed, thu, fri]")}`,
    );
    const run = await runHexarch(["diff", "old.yaml", "new.yaml"], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("old.yaml → new.yaml: no change in meaning\n");
  });

  it("prints a readable summary line and one line per change", async () => {
    const dir = oldAndNew("quickstart.yaml", (text) =>
      text.replace('action: "require_confirmation"', 'action: "warn"').replace("monthly_budget: 10", "monthly_budget: 5"),
    );
    const run = await runHexarch(["diff", "old.yaml", "new.yaml"], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        "old.yaml → new.yaml: 2 changes (1 tightened, 1 loosened)",
        "  tightened  api_budget#0   monthly_budget 10 → 5",
        "  loosened   safe_delete#0  action require_confirmation → warn",
        "",
      ].join("\n"),
    );
  });

  it("exits 1 with the problems when either file is invalid, and 2 without both files", async () => {
    const dir = oldAndNew("quickstart.yaml", (text) => text.replace("monthly_budget: 10", "monthly_budget: ten"));
    const invalid = await runHexarch(["diff", "old.yaml", "new.yaml"], { cwd: dir });
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain("new.yaml:6:25 [policy api_budget] policies[0].rules[0].monthly_budget: expected number, got string");
    const usage = await runHexarch(["diff", "old.yaml"], { cwd: dir });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("error: missing required argument 'new'");
  });
});
