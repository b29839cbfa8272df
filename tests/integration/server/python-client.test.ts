// The standard-library Python client of examples/server against a real server, when python3 is on the machine.
import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../server/serve-support.js";

const EXAMPLE = join(import.meta.dirname, "../../../examples/server");
const hasPython = spawnSync("python3", ["--version"]).status === 0;

describe.skipIf(!hasPython)("examples/server Python client (@guard decorator)", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(readFileSync(join(EXAMPLE, "hexarch.yaml"), "utf8"));
  });
  afterAll(() => t.stop());

  it("passes its unittest suite against the server", async () => {
    // Run asynchronously: the server answers from this same process.
    const run = await promisify(execFile)("python3", ["-m", "unittest", "-v", "test_client"], {
      cwd: EXAMPLE,
      env: { ...process.env, HEXARCH_URL: t.server.url, PYTHONDONTWRITEBYTECODE: "1" },
      timeout: 30_000,
    });
    expect(run.stderr).toMatch(/Ran 4 tests[\s\S]*OK/);
  });
});
