// runCli in a shared process: each run sees only its own terminal's folder, environment, streams and width.
import { afterEach, describe, expect, it } from "vitest";
import { runHexarch, tempProject } from "./run-hexarch.js";

const ESC = "\u001b[";
const projects: ReturnType<typeof tempProject>[] = [];
afterEach(() => {
  for (const project of projects.splice(0)) project.remove();
});

function project(seedFiles: readonly string[]): string {
  const made = tempProject(seedFiles);
  projects.push(made);
  return made.dir;
}

describe("runCli in process", () => {
  it("reads a relative policy file from the terminal's folder, not the process's", async () => {
    const run = await runHexarch(["validate", "quickstart.yaml"], { cwd: project(["quickstart.yaml"]) });
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe("valid quickstart.yaml: 3 policies, 3 rules\n");
    expect(run.code).toBe(0);
  });

  it("keeps folders, environments and output apart when runs overlap", async () => {
    const quick = project(["quickstart.yaml"]);
    const hooks = project(["webhook_rate_limit.yaml"]);
    const runs = await Promise.all([
      runHexarch(["list", "quickstart.yaml", "--json"], { cwd: quick }),
      runHexarch(["validate"], { cwd: hooks, env: { HEXARCH_POLICY_FILE: "webhook_rate_limit.yaml" } }),
      runHexarch(["validate"], { cwd: quick }),
    ]);
    expect(JSON.parse(runs[0].stdout).file).toBe("quickstart.yaml");
    expect(runs[1].stdout).toBe("valid webhook_rate_limit.yaml: 1 policy, 1 rule\n");
    expect(runs[2].code).toBe(1);
    expect(runs[2].stderr).toContain("no hexarch.yaml or hexarch.yml found");
  });

  it("colours a terminal's output, and not with NO_COLOR", async () => {
    const cwd = project(["quickstart.yaml"]);
    const coloured = await runHexarch(["list", "quickstart.yaml"], { cwd, tty: { columns: 120 } });
    expect(coloured.stdout).toContain(`${ESC}1mPOLICY`);
    const plain = await runHexarch(["list", "quickstart.yaml"], { cwd, tty: { columns: 120 }, env: { NO_COLOR: "1" } });
    expect(plain.stdout).toContain("POLICY");
    expect(plain.stdout).not.toContain(ESC);
  });

  it("wraps help at the terminal's width, and at 80 columns when piped", async () => {
    const description = async (tty?: { columns: number }) => {
      const run = await runHexarch(["explain", "--help"], { cwd: project([]), ...(tty === undefined ? {} : { tty }) });
      return (run.stdout.split("\n\n")[1] ?? "").split("\n");
    };
    const piped = await description();
    expect(piped.length).toBe(2);
    expect(Math.max(...piped.map((line) => line.length))).toBeLessThanOrEqual(80);
    expect(Math.max(...(await description({ columns: 60 })).map((line) => line.length))).toBeLessThanOrEqual(60);
    expect(await description({ columns: 200 })).toEqual([piped.join(" ")]);
  });
});
