// `hexarch log verify --witness`: the log checked against the heads a witness holds, found through the policy file or given.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGuardian } from "../../src/index.js";
import { checkpointPath } from "../../src/log/file-sink.js";
import { startHttpWitness, type TestWitness } from "../support/http-witness.js";
import { quickstartWithLogging } from "../unit/log/log-support.js";
import { runHexarch, tempProject } from "./run-hexarch.js";

let project: ReturnType<typeof tempProject>;
let witness: TestWitness;

beforeAll(async () => {
  project = tempProject();
  witness = await startHttpWitness();
  const logging = ['file: ".hexarch/guardrails.log"', `witness: ${JSON.stringify(witness.url)}`, "name: billing-api"];
  writeFileSync(join(project.dir, "hexarch.yaml"), quickstartWithLogging(logging));
  const guardian = createGuardian({ policyFile: join(project.dir, "hexarch.yaml"), env: {} });
  for (let i = 0; i < 3; i += 1) await guardian.check("rate_limit", { client: `c${i}` });
  await guardian.close();
});
afterAll(async () => {
  await witness.close();
  project.remove();
});

describe("hexarch log verify --witness", () => {
  it("checks the policy file's log against its witness, and fails once the log was emptied", async () => {
    const intact = await runHexarch(["log", "verify"], { cwd: project.dir });
    expect(intact.code).toBe(0);
    const log = join(project.dir, ".hexarch/guardrails.log");
    writeFileSync(log, "");
    writeFileSync(checkpointPath(log), "");
    const emptied = await runHexarch(["log", "verify"], { cwd: project.dir });
    expect(emptied.code).toBe(1);
    expect(emptied.stderr).toMatch(/deleted chain [0-9a-f-]{36}.*: the witness holds a head of this chain/);
    const byName = await runHexarch(["log", "verify", ".hexarch/guardrails.log", "--witness", witness.url, "--name", "billing-api"], {
      cwd: project.dir,
    });
    expect(byName.code).toBe(1);
    const otherName = await runHexarch(["log", "verify", ".hexarch/guardrails.log", "--witness", witness.url], { cwd: project.dir });
    expect(otherName.stdout).toMatch(/holds no records/);
  });

  it("refuses --name without a witness, and says so when the witness cannot be read", async () => {
    const alone = await runHexarch(["log", "verify", "x.log", "--name", "billing-api"], { cwd: project.dir });
    expect(alone.stderr).toMatch(/--name is the log's name at a witness/);
    const unreachable = await runHexarch(["log", "verify", "x.log", "--witness", "http://127.0.0.1:1/heads"], { cwd: project.dir });
    expect(unreachable.code).not.toBe(0);
    expect(unreachable.stderr).toMatch(/cannot read the witness/);
  });
});
