// The packed tarball as published: what it holds, how big it is, and its types in a program mixing ESM and CommonJS.
import { execFileSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { appFolder, run, sharedInstall, type SharedInstall } from "./packed-app.js";

const TSC = createRequire(import.meta.url).resolve("typescript/bin/tsc");

const ESM_FILE = `import express from "express";
import Koa from "koa";
import { hexarch } from "hexarch-guardrails/express";
import { hexarch as koaHexarch } from "hexarch-guardrails/koa";
const app = express();
app.use(hexarch());
app.get("/", (_req, res) => { const outcome: string | undefined = res.locals.hexarch?.decision?.outcome; res.json({ outcome }); });
const koa = new Koa();
koa.use(koaHexarch());
koa.use((ctx) => { ctx.body = ctx.state.hexarch?.decisions.length; });
`;
const CJS_FILE = `import express = require("express");
import guardrails = require("hexarch-guardrails/express");
import type { HexarchLocals } from "hexarch-guardrails/express";
const app = express();
app.use(guardrails.hexarch());
app.get("/", (_req, res) => { const locals: HexarchLocals = res.locals; res.json({ n: locals.hexarch?.decisions.length }); });
`;
const TSCONFIG = {
  compilerOptions: {
    module: "nodenext",
    moduleResolution: "nodenext",
    target: "es2022",
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    types: ["node"],
  },
  files: ["esm.mts", "cjs.cts"],
};

let shared: SharedInstall;
let entries: string[];

beforeAll(async () => {
  shared = await sharedInstall();
  entries = execFileSync("tar", ["-tzf", shared.tarball], { encoding: "utf8" }).trim().split("\n");
}, 900_000);

describe("the packed tarball", () => {
  // About 420 kB for the code and schemas (session 14 added approvals, the MCP adapter, OpenTelemetry and the budgets
  // page: about 85 kB), plus about 115 kB for docs/ (a 60 kB screenshot of the budgets page among them), the examples
  // and bench/README.md, which ship so that every link of the README and docs/ resolves in node_modules (issue 30).
  // What this guards against is a build that ships what it should not (source maps, tests, a node_modules), which
  // adds far more.
  it("holds the LICENSE and no source maps, and stays under 600 kB", () => {
    expect(entries).toContain("package/LICENSE");
    expect(readFileSync(join(shared.root, "node_modules/hexarch-guardrails/LICENSE"), "utf8")).toContain(
      "Copyright (c) 2026 the hexarch-guardrails authors",
    );
    expect(entries.filter((entry) => entry.endsWith(".map"))).toEqual([]);
    expect(statSync(shared.tarball).size).toBeLessThan(600 * 1024);
  });

  it("does not bundle a second engine into the executable: cli.js imports the library's chunks", () => {
    const cli = readFileSync(join(shared.root, "node_modules/hexarch-guardrails/dist/cli.js"), "utf8");
    expect(cli).toMatch(/from ['"]\.\/chunk-[\w-]+\.js['"]/);
    expect(cli).not.toContain("class Decision");
    expect(run(join(shared.root, "node_modules/.bin/hexarch"), ["--version"], shared.root).trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("does not declare res.locals.hexarch twice when an ESM and a CommonJS file share a program (TS2717)", () => {
    const folder = appFolder(shared.root, "types-check", {
      "esm.mts": ESM_FILE,
      "cjs.cts": CJS_FILE,
      "tsconfig.json": JSON.stringify(TSCONFIG),
    });
    let output = "";
    try {
      output = run(process.execPath, [TSC, "-p", "."], folder);
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error);
    }
    // Errors inside third-party @types packages (their own version skew) are not this package's to fix.
    const ours = output.split("\n").filter((line) => line.trim() !== "" && !line.includes("node_modules/@types/"));
    expect(ours).toEqual([]);
    expect(output).not.toContain("TS2717");
  }, 400_000);
});
