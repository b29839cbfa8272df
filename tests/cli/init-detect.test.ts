// `hexarch init` guesses the app's setup (module system, TypeScript, framework), prints its lines, and writes passing cases.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { printedFile } from "../support/init-output.js";
import { runHexarch, type CliRun } from "./run-hexarch.js";

let folder: string | undefined;
afterEach(() => {
  if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  folder = undefined;
});

/** A fresh app folder with this package.json (none when undefined), frameworks "installed" in node_modules, and extra files. */
function app(manifest: object | undefined, installed: readonly string[] = [], files: Record<string, string> = {}): string {
  folder = mkdtempSync(join(tmpdir(), "hexarch-init-"));
  if (manifest !== undefined) writeFileSync(join(folder, "package.json"), JSON.stringify(manifest));
  for (const name of installed) {
    mkdirSync(join(folder, "node_modules", name), { recursive: true });
    writeFileSync(join(folder, "node_modules", name, "package.json"), JSON.stringify({ name, version: "1.0.0" }));
  }
  for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
  return folder;
}

function hexarch(cwd: string, ...args: string[]): Promise<CliRun> {
  return runHexarch(args, { cwd });
}

describe("hexarch init detects the setup", () => {
  it("does not print import lines into a CommonJS project (npm init -y makes one)", async () => {
    const cwd = app({ name: "shop", version: "1.0.0" }, ["express"]);
    const run = await hexarch(cwd, "init");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('For Express (installed), CommonJS (no "type": "module")');
    const { file, code } = printedFile(run.stdout);
    expect(file).toBe("server.js");
    expect(code.slice(0, 2)).toEqual(['const express = require("express");', 'const { hexarch } = require("hexarch-guardrails/express");']);
    expect(code.join("\n")).not.toContain("import ");
    expect(run.stdout).toContain("npm install hexarch-guardrails\n");
  });

  it("does not leave out the body parser, and puts it before hexarch()", async () => {
    for (const [framework, parser] of [
      ["express", "app.use(express.json());"],
      ["koa", "app.use(bodyParser());"],
    ] as const) {
      const cwd = app({ name: "shop", type: "module" }, [framework]);
      const { code } = printedFile((await hexarch(cwd, "init")).stdout);
      const parserAt = code.findIndex((line) => line.startsWith(parser));
      expect(parserAt, framework).toBeGreaterThan(-1);
      expect(
        code.findIndex((line) => line.startsWith("app.use(hexarch());")),
        framework,
      ).toBe(parserAt + 1);
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it("prints import lines for an ESM project, and for Koa when Koa is what is installed", async () => {
    const cwd = app({ name: "shop", type: "module", dependencies: { koa: "^3.0.0" } });
    const run = await hexarch(cwd, "init");
    expect(run.stdout).toContain('For Koa (installed), ESM ("type": "module")');
    const { code } = printedFile(run.stdout);
    expect(code.slice(0, 3)).toEqual([
      'import Koa from "koa";',
      'import { bodyParser } from "@koa/bodyparser";',
      'import { hexarch } from "hexarch-guardrails/koa";',
    ]);
    expect(run.stdout).toContain("npm install hexarch-guardrails @koa/bodyparser\n");
  });

  it("prints a server.ts started with tsx in a TypeScript project", async () => {
    const cwd = app({ name: "shop", devDependencies: { typescript: "^5.9.0", express: "^5.0.0" } }, [], { "tsconfig.json": "{}" });
    const run = await hexarch(cwd, "init");
    expect(run.stdout).toContain('For Express (installed), CommonJS (no "type": "module"), TypeScript');
    const { file, code } = printedFile(run.stdout);
    expect(file).toBe("server.ts");
    expect(code[0]).toBe('import express from "express";');
    expect(run.stdout).toContain("npm install -D tsx @types/express");
    expect(run.stdout).toContain("npx tsx server.ts");
  });

  it("prints a route handler file for Next.js, which wins over an Express also installed", async () => {
    const cwd = app({ name: "site", dependencies: { next: "16.0.0", express: "^5.0.0", react: "19.0.0" } }, [], { "tsconfig.json": "{}" });
    const run = await hexarch(cwd, "init");
    expect(run.stdout).toContain("For Next.js (installed)");
    const { file, code } = printedFile(run.stdout);
    expect(file).toBe("app/items/[id]/route.ts");
    expect(code).toContain('import { withHexarch } from "hexarch-guardrails/next";');
    expect(code).toContain("export const DELETE = withHexarch(() => Response.json({ deleted: true }));");
  });

  it("prints a CommonJS route.js for Next.js in a package npm init -y made, which Next 16 refuses in import syntax", async () => {
    const cwd = app({ name: "site", type: "commonjs", dependencies: { next: "16.0.0" } });
    const run = await hexarch(cwd, "init");
    const { file, code } = printedFile(run.stdout);
    expect(file).toBe("app/items/[id]/route.js");
    expect(code[0]).toBe('const { withHexarch } = require("hexarch-guardrails/next");');
    expect(code).toContain("exports.DELETE = withHexarch(() => Response.json({ deleted: true }));");
    expect(code.join("\n")).not.toMatch(/^(import|export) /m);
  });

  it("takes --framework and --cjs/--esm over what it finds, and refuses both module flags at once", async () => {
    const cwd = app({ name: "shop", type: "module" }, ["express"]);
    const run = await hexarch(cwd, "init", "--framework", "koa", "--cjs");
    expect(run.stdout).toContain("For Koa (--framework), CommonJS (--cjs)");
    expect(printedFile(run.stdout).code[0]).toBe('const Koa = require("koa");');
    const both = await hexarch(cwd, "init", "--force", "--cjs", "--esm");
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--cjs and --esm exclude each other");
    expect((await hexarch(cwd, "init", "--force", "--framework", "hapi")).code).toBe(2);
  });

  it("does not tell the user to install packages it has just said are installed", async () => {
    const cwd = app({ name: "shop", dependencies: { express: "^5.0.0", "hexarch-guardrails": "^0.1.0" } }, ["tsx"], {
      "tsconfig.json": "{}",
    });
    const run = await hexarch(cwd, "init");
    expect(run.stdout).toContain("For Express (installed)");
    const installs = run.stdout.split("\n").filter((line) => line.trimStart().startsWith("npm install"));
    expect(installs.map((line) => line.trim())).toEqual(["npm install -D @types/express"]);
    const bare = await hexarch(app({ name: "shop" }), "init");
    expect(bare.stdout).toContain("npm install hexarch-guardrails express\n");
  });

  it("guesses Express and CommonJS in a folder without package.json", async () => {
    const run = await hexarch(app(undefined), "init");
    expect(run.stdout).toContain("For Express (no framework installed yet), CommonJS (no package.json)");
  });
});

describe("hexarch init writes cases that pass", () => {
  it("does not leave hexarch test failing right after init: init && validate && test exit 0", async () => {
    const cwd = app({ name: "shop" });
    expect((await hexarch(cwd, "init")).code).toBe(0);
    expect(readFileSync(join(cwd, "hexarch.test.yaml"), "utf8")).toContain('policy: "hexarch.yaml"');
    expect((await runHexarch(["validate"], { cwd })).code).toBe(0);
    const tested = await runHexarch(["test"], { cwd });
    expect(tested.stderr).toBe("");
    expect(tested.stdout.trimEnd().split("\n").at(-1)).toBe("3 passed, 0 failed");
    expect(tested.code).toBe(0);
  }, 90_000);

  it("writes the cases beside a policy file given by path, named after it", async () => {
    const cwd = app({ name: "shop" });
    expect((await hexarch(cwd, "init", "guards.yaml")).code).toBe(0);
    expect(existsSync(join(cwd, "guards.test.yaml"))).toBe(true);
    expect((await runHexarch(["test", "guards.test.yaml"], { cwd })).code).toBe(0);
  }, 90_000);

  it("does not overwrite an existing case file without --force", async () => {
    const cwd = app({ name: "shop" }, [], { "hexarch.test.yaml": "cases: []\n" });
    const refused = await hexarch(cwd, "init");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("hexarch.test.yaml already exists; nothing was written");
    expect(existsSync(join(cwd, "hexarch.yaml"))).toBe(false);
    expect((await hexarch(cwd, "init", "--force")).code).toBe(0);
    expect(readFileSync(join(cwd, "hexarch.test.yaml"), "utf8")).toContain("cases:");
    expect(readFileSync(join(cwd, "hexarch.test.yaml"), "utf8")).not.toBe("cases: []\n");
  });
});
