// Every command's --help shows an example; colour appears only on a terminal and never with NO_COLOR.
import { describe, expect, it } from "vitest";
import { createPalette, wantsColour } from "../../src/cli/terminal.js";
import { ROOT, runHexarch } from "./run-hexarch.js";

const COMMANDS = ["init", "validate", "list", "explain", "test", "diff", "export"] as const;
const ESC = "\u001b[";

describe("--help", () => {
  it.each(COMMANDS)("hexarch %s --help shows usage and an example, exit 0", async (command) => {
    const run = await runHexarch([command, "--help"], { cwd: ROOT });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Usage: hexarch ${command}`);
    expect(run.stdout).toMatch(/Examples?:\n {2}\$ hexarch /);
  });

  it("hexarch --help lists every command and the exit codes", async () => {
    const run = await runHexarch(["--help"], { cwd: ROOT });
    expect(run.code).toBe(0);
    for (const command of COMMANDS) expect(run.stdout).toMatch(new RegExp(`\\n  ${command}\\b`));
    expect(run.stdout).toContain("Exit codes:\n  0  done");
    expect(run.stdout).toContain("  2  the command line is wrong, or a case file is broken");
  });

  it("an unknown command or option is a usage error: exit 2, message on stderr", async () => {
    const unknown = await runHexarch(["lint"], { cwd: ROOT });
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe("");
    expect(unknown.stderr).toContain("error: unknown command 'lint'");
    const bare = await runHexarch([], { cwd: ROOT });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("Usage: hexarch");
  });
});

describe("colour", () => {
  it("is off when output is not a terminal", async () => {
    const run = await runHexarch(["list", "tests/fixtures/seed/quickstart.yaml"], { cwd: ROOT });
    expect(run.stdout).not.toContain(ESC);
    expect(run.stdout).toContain("POLICY");
  });

  it("follows the terminal, NO_COLOR and TERM=dumb", () => {
    expect(wantsColour({ write: () => true, isTTY: true }, {})).toBe(true);
    expect(wantsColour({ write: () => true, isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(wantsColour({ write: () => true, isTTY: true }, { NO_COLOR: "" })).toBe(true);
    expect(wantsColour({ write: () => true, isTTY: true }, { TERM: "dumb" })).toBe(false);
    expect(wantsColour({ write: () => true }, {})).toBe(false);
    expect(createPalette(true).red("no")).toBe(`${ESC}31mno${ESC}39m`);
    expect(createPalette(false).red("no")).toBe("no");
  });
});
