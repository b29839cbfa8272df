// `hexarch … | head -3`: a reader that closes the pipe ends the command quietly with exit 0, never with an EPIPE trace.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, SEED } from "../../cli/run-hexarch.js";

/** Runs the CLI's own executable with its standard output closed before it writes anything. */
function runIntoClosedPipe(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "src/cli/main.ts"), ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  // The reader goes away at once, as `head` does after its lines; tsx's start-up means nothing was written yet.
  child.stdout.destroy();
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stderr })));
}

describe("a closed output pipe", () => {
  it("does not crash hexarch explain with an unhandled EPIPE", async () => {
    const run = await runIntoClosedPipe(["explain", join(SEED, "quickstart.yaml"), "--method", "DELETE", "--path", "/users/7"]);
    expect(run.stderr).not.toContain("EPIPE");
    expect(run.code).toBe(0);
  });
});
