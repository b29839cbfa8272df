// `hexarch serve` in process: what it listens for, and when, around its "listening on" line.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { runCli } from "../../src/cli/program.js";
import { createTerminal } from "../../src/cli/terminal.js";

it("hexarch serve listens for SIGTERM and SIGINT before it says it listens, so a signal right after that line stops it gracefully", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hexarch-serve-stop-"));
  writeFileSync(join(dir, "hexarch.yaml"), "policies:\n  - id: p\n    rules:\n      - requests_per_minute: 10\n");
  const before = { SIGTERM: process.listeners("SIGTERM"), SIGINT: process.listeners("SIGINT") };
  const added = (signal: "SIGTERM" | "SIGINT"): NodeJS.SignalsListener[] =>
    process.listeners(signal).filter((listener) => !before[signal].includes(listener));
  const seenAtListening: number[] = [];
  const lines: string[] = [];
  const stdout = {
    write: (text: string): void => {
      lines.push(text);
      if (!text.includes("listening on")) return;
      seenAtListening.push(added("SIGTERM").length, added("SIGINT").length);
      // What a supervisor reading the line would do at once; called directly, not raised, so the test runner never sees it.
      for (const listener of added("SIGTERM")) listener("SIGTERM");
    },
  };
  try {
    const code = await runCli(
      ["node", "hexarch", "serve", "--port", "0"],
      createTerminal({
        stdout,
        stderr: { write: () => undefined },
        env: { HEXARCH_SECRET: "serve-stop-secret-of-enough-length" },
        cwd: dir,
      }),
    );
    expect({ code, seenAtListening }).toEqual({ code: 0, seenAtListening: [1, 1] });
    expect(lines.join("")).toContain("SIGTERM: stopping");
    expect([added("SIGTERM"), added("SIGINT")]).toEqual([[], []]);
  } finally {
    for (const listener of [...added("SIGTERM"), ...added("SIGINT")]) process.off("SIGTERM", listener).off("SIGINT", listener);
    rmSync(dir, { recursive: true, force: true });
  }
});
