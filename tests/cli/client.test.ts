// `hexarch client python` prints the shipped Python client of the decision server, byte for byte, from any folder.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, runHexarch, tempProject } from "./run-hexarch.js";

const project = tempProject();
afterAll(() => project.remove());

describe("hexarch client", () => {
  it("prints examples/server/hexarch_client.py as it ships, in a folder with no policy file", async () => {
    const run = await runHexarch(["client", "python"], { cwd: project.dir });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe(readFileSync(join(ROOT, "examples/server/hexarch_client.py"), "utf8"));
  });

  it("names the languages it has when given none", async () => {
    const run = await runHexarch(["client"], { cwd: project.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("missing required argument 'language'");
  });
});
