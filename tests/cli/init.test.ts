// `hexarch init`: the starter file it writes, the lines it prints, and that it never overwrites by accident.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parsePolicyText } from "../../src/engine/config/load.js";
import { runHexarch, SEED, tempProject } from "./run-hexarch.js";

let project: ReturnType<typeof tempProject> | undefined;
afterEach(() => project?.remove());

describe("hexarch init", () => {
  it("writes a valid hexarch.yaml with the Quick Start policies and a schema line, and prints the Express lines", async () => {
    project = tempProject();
    const run = await runHexarch(["init"], { cwd: project.dir });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    const written = readFileSync(join(project.dir, "hexarch.yaml"), "utf8");
    expect(written.split("\n")[0]).toBe("# yaml-language-server: $schema=./node_modules/hexarch-guardrails/hexarch.schema.json");
    const quickstart = parsePolicyText(readFileSync(join(SEED, "quickstart.yaml"), "utf8"), "quickstart.yaml").spec;
    expect(parsePolicyText(written, "hexarch.yaml").spec.policies).toEqual(quickstart.policies);
    expect(run.stdout).toContain('const { hexarch } = require("hexarch-guardrails/express");');
    expect(run.stdout).toContain("app.use(hexarch());");
    expect(run.stdout).toContain("app.use(express.json());");

    const validated = await runHexarch(["validate"], { cwd: project.dir });
    expect(validated.code).toBe(0);
    expect(validated.stdout).toContain("valid hexarch.yaml: 3 policies, 3 rules");
  });

  it("refuses to overwrite an existing file without --force, and replaces it with --force", async () => {
    project = tempProject();
    const path = join(project.dir, "hexarch.yaml");
    writeFileSync(path, "policies: []\n");
    const refused = await runHexarch(["init"], { cwd: project.dir });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toContain("hexarch.yaml already exists; nothing was written");
    expect(refused.stderr).toContain("--force");
    expect(readFileSync(path, "utf8")).toBe("policies: []\n");

    const forced = await runHexarch(["init", "--force"], { cwd: project.dir });
    expect(forced.code).toBe(0);
    expect(readFileSync(path, "utf8")).toContain('id: "safe_delete"');
  });

  it("writes to the path given, and nothing else", async () => {
    project = tempProject();
    const run = await runHexarch(["init", "guards.yaml"], { cwd: project.dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("wrote guards.yaml");
    expect(existsSync(join(project.dir, "guards.yaml"))).toBe(true);
    expect(existsSync(join(project.dir, "hexarch.yaml"))).toBe(false);
  });
});
