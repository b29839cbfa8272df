// `hexarch list` and `hexarch export`: the table, the JSON a script reads, and the schema the package ships.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ROOT, runHexarch, tempProject } from "./run-hexarch.js";

let project: ReturnType<typeof tempProject> | undefined;
afterEach(() => project?.remove());

describe("hexarch list", () => {
  it("prints one row per rule with mode, enabled, kind, limits and scope", async () => {
    project = tempProject(["full_template.yaml"]);
    const run = await runHexarch(["list", "full_template.yaml"], { cwd: project.dir });
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("full_template.yaml: enforcement warn");
    expect(lines[1]).toMatch(/^POLICY\s+MODE\s+ENABLED\s+RULE\s+KIND\s+LIMITS\s+SCOPE$/);
    expect(lines).toHaveLength(2 + 9);
    expect(lines.find((l) => l.startsWith("webhook_bursts"))).toMatch(
      /#0\s+rate\s+60 requests per minute per client, token bucket, burst 20\s+route \/webhooks\/\*$/,
    );
    expect(lines[2]).toMatch(
      /^api_rate_limits\s+strict\s+yes\s+#0\s+rate\s+5 requests per second per user, .*route \/api\/\*, methods GET, POST$/,
    );
    expect(lines.find((l) => l.startsWith("destructive_ops"))).toMatch(
      /warn\s+yes\s+#0\s+environment\+facts\+confirm\s+environment must be production/,
    );
    expect(lines.find((l) => l.startsWith("beta_export"))).toMatch(/warn\s+no\s+#0\s+confirm\s+.*feature beta_export$/);
    const column = lines[1]!.indexOf("SCOPE");
    expect(lines.slice(2).every((line) => line.length > column && line[column - 1] === " ")).toBe(true);
  });

  it("--json gives policies and rules as data", async () => {
    project = tempProject(["quickstart.yaml"]);
    const run = await runHexarch(["list", "quickstart.yaml", "--json"], { cwd: project.dir });
    expect(run.code).toBe(0);
    const data = JSON.parse(run.stdout);
    expect(data.policies.map((p: { id: string }) => p.id)).toEqual(["api_budget", "rate_limit", "safe_delete"]);
    expect(data.policies[1]).toEqual({
      id: "rate_limit",
      description: "Prevent API abuse",
      enabled: true,
      mode: "strict",
      fail: "closed",
      line: 8,
      rules: [
        {
          index: 0,
          kinds: ["rate"],
          limits: "100 requests per minute per client",
          algorithm: "fixed_window",
          burst: null,
          scope: "every resource",
          action: "block",
          line: 11,
          column: 9,
        },
      ],
    });
  });
});

describe("hexarch export", () => {
  it("--format json prints the policies with defaults written out, loadable as a policy file again", async () => {
    project = tempProject(["migration_safety.yaml"]);
    const run = await runHexarch(["export", "migration_safety.yaml"], { cwd: project.dir });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      enforcement: "strict",
      policies: [
        {
          id: "migration_safety",
          description: "Migrations need a verified backup and an explicit confirmation",
          enabled: true,
          enforcement: "strict",
          fail: "closed",
          rules: [
            { operation: "migrate", require_environment: "production", require_facts: ["backup_verified"], action: "block" },
            { operation: "migrate", action: "require_confirmation" },
          ],
        },
      ],
    });
    writeFileSync(join(project.dir, "exported.json"), run.stdout);
    const again = await runHexarch(["validate", "exported.json"], { cwd: project.dir });
    expect(again.code).toBe(0);
  });

  it("--format json-schema prints exactly the hexarch.schema.json the package ships", async () => {
    project = tempProject();
    const run = await runHexarch(["export", "--format", "json-schema"], { cwd: project.dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(readFileSync(join(ROOT, "hexarch.schema.json"), "utf8"));
    const schema = JSON.parse(run.stdout);
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(schema.required).toEqual(["policies"]);
    expect(Object.keys(schema.properties.policies.items.properties.rules.items.properties)).toContain("requests_per_minute");
  });

  it("refuses an unknown format with exit 2 and the allowed choices", async () => {
    project = tempProject();
    const run = await runHexarch(["export", "--format", "yaml"], { cwd: project.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Allowed choices are json, json-schema.");
  });
});
