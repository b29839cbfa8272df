// The executable as the package ships it: built with the repository's own tsup config, run through its shebang.
import { execFile } from "node:child_process";
import { existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build, type Options } from "tsup";
import config from "../../tsup.config.js";
import { ROOT } from "./run-hexarch.js";

const ESC = "\u001b[";
const OUT = join(ROOT, "node_modules/.cache/hexarch-cli-bin-test/dist");
const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  bin: Record<string, string>;
  version: string;
  files: string[];
};

function cliConfig(): Options {
  const configs = (Array.isArray(config) ? config : [config]) as Options[];
  const found = configs.find((options) => typeof options.entry === "object" && !Array.isArray(options.entry) && "cli" in options.entry);
  if (found === undefined) throw new Error("tsup.config.ts has no cli entry");
  return found;
}

function runBin(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(join(OUT, "cli.js"), args, { cwd: ROOT }, (error, stdout, stderr) =>
      done({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  rmSync(OUT, { recursive: true, force: true });
  await build({ ...cliConfig(), dts: false, outDir: OUT, silent: true, config: false });
}, 120_000);
afterAll(() => rmSync(join(OUT, ".."), { recursive: true, force: true }));

describe("the built hexarch executable", () => {
  it("is what package.json's bin points at, and the package ships the schema it names", () => {
    expect(manifest.bin).toEqual({ hexarch: "./dist/cli.js", "hexarch-guardrails": "./dist/cli.js" });
    expect(manifest.files).toContain("hexarch.schema.json");
  });

  it("starts with a shebang, is executable, and runs commands", async () => {
    expect(readFileSync(join(OUT, "cli.js"), "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
    expect(statSync(join(OUT, "cli.js")).mode & 0o111).not.toBe(0);
    const version = await runBin(["--version"]);
    expect(version.stdout.trim()).toBe(manifest.version);
    const valid = await runBin(["validate", "tests/fixtures/seed/full_template.yaml"]);
    expect(valid.code).toBe(0);
    expect(valid.stdout).toContain("valid tests/fixtures/seed/full_template.yaml: 8 policies, 9 rules");
    const cases = await runBin(["test", "tests/fixtures/cases/quickstart.test.yaml"]);
    expect(cases.code).toBe(0);
    expect(cases.stdout.trimEnd().split("\n").at(-1)).toBe("5 passed, 0 failed");
  });

  const script = ["/usr/bin/script", "/bin/script"].find((path) => existsSync(path));
  it.skipIf(script === undefined)("colours in a real terminal (script(1) gives one), and not there with NO_COLOR", async () => {
    const inTerminal = (extraEnv: Record<string, string>) =>
      new Promise<string>((done, fail) => {
        const command = `${join(OUT, "cli.js")} list tests/fixtures/seed/quickstart.yaml`;
        const env: Record<string, string> = { ...(process.env as Record<string, string>), TERM: "xterm", ...extraEnv };
        if (extraEnv["NO_COLOR"] === undefined) delete env["NO_COLOR"];
        execFile(script as string, ["-qec", command, "/dev/null"], { cwd: ROOT, env }, (error, stdout) =>
          error === null ? done(stdout) : fail(new Error(`the built cli failed in a terminal: ${error.message}`, { cause: error })),
        );
      });
    expect(await inTerminal({})).toContain(`${ESC}1mPOLICY`);
    const plain = await inTerminal({ NO_COLOR: "1" });
    expect(plain).toContain("POLICY");
    expect(plain).not.toContain(ESC);
  });
});
