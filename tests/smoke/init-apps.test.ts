// `hexarch init` from the packed tarball, in a fresh app of every setup: paste what it printed, start, get a 428 and a 429.
// The Next.js JavaScript app starts as `npm init -y` leaves it ("type": "commonjs") and is built and served by Next itself.
import type { ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildNextApp, startNextApp } from "../e2e/next-server.js";
import { printedFile } from "../support/init-output.js";
import { appFolder, confirmAndLimitStatuses, run, sharedInstall, startOnFreePort } from "./packed-app.js";

const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const SECRET = "smoke-secret-0123456789abcdef";

interface Setup {
  readonly name: string;
  readonly framework: "express" | "koa" | "next";
  readonly esm: boolean;
  readonly typescript: boolean;
  /** Made by `npm init -y` (which writes "type": "commonjs"), then `npm pkg set` of the framework, as a newcomer does. */
  readonly npmInit?: true;
}

const SETUPS: readonly Setup[] = [
  { name: "express-cjs", framework: "express", esm: false, typescript: false },
  { name: "express-esm", framework: "express", esm: true, typescript: false },
  { name: "express-ts", framework: "express", esm: false, typescript: true },
  { name: "koa-cjs", framework: "koa", esm: false, typescript: false },
  { name: "koa-esm", framework: "koa", esm: true, typescript: false },
  { name: "koa-ts", framework: "koa", esm: true, typescript: true },
  { name: "next-js", framework: "next", esm: false, typescript: false, npmInit: true },
  { name: "next-esm", framework: "next", esm: true, typescript: false },
  { name: "next-ts", framework: "next", esm: false, typescript: true },
];

/** Calls a route module's DELETE once and its GET 101 times, as Next would, and prints the statuses as JSON. */
const ROUTE_PROBE = `const route = await import(process.argv[2]);
const context = { params: Promise.resolve({ id: "7" }) };
const url = "http://localhost:3000/items/7";
const deleted = await route.DELETE(new Request(url, { method: "DELETE" }), context);
const gets = [];
for (let i = 0; i < 101; i++) gets.push((await route.GET(new Request(url), context)).status);
console.log(JSON.stringify({ delete: deleted.status, gets }));
`;

const children: ChildProcess[] = [];
let root = "";

beforeAll(async () => {
  root = (await sharedInstall()).root;
}, 900_000);

afterAll(() => {
  for (const child of children) child.kill();
});

describe("hexarch init's lines, pasted into a fresh app of each setup", () => {
  it.each(SETUPS)(
    "$name: init && validate && test exit 0, and the pasted app answers 428 and 429",
    async (setup) => {
      const manifest = {
        name: setup.name,
        private: true,
        ...(setup.esm ? { type: "module" } : {}),
        dependencies: { [setup.framework]: "*" },
      };
      const folder = appFolder(root, `init-${setup.name}`, {
        ...(setup.npmInit ? {} : { "package.json": JSON.stringify(manifest) }),
        ...(setup.typescript ? { "tsconfig.json": "{}\n" } : {}),
      });
      if (setup.npmInit) {
        mkdirSync(folder, { recursive: true });
        run("npm", ["init", "-y"], folder);
        run("npm", ["pkg", "set", `dependencies.${setup.framework}=*`], folder);
      }
      const bin = join(root, "node_modules/.bin/hexarch-guardrails");
      const printed = run(bin, ["init"], folder);
      expect(run(bin, ["validate"], folder)).toContain("valid hexarch.yaml");
      expect(run(bin, ["test"], folder).trimEnd().split("\n").at(-1)).toBe("3 passed, 0 failed");

      const { file, code } = printedFile(printed);
      const text = `${code.join("\n")}\n`;
      expect(file).toBe(
        setup.framework === "next" ? `app/items/[id]/route.${setup.typescript ? "ts" : "js"}` : `server.${setup.typescript ? "ts" : "js"}`,
      );
      mkdirSync(dirname(join(folder, file)), { recursive: true });
      writeFileSync(join(folder, file), text);

      const env = { ...process.env, HEXARCH_SECRET: SECRET, NODE_ENV: "production" };
      let result: { delete: number; gets: number[] };
      if (setup.framework === "next" && setup.npmInit) {
        await buildNextApp(folder, { HEXARCH_SECRET: SECRET });
        const next = await startNextApp(folder, { HEXARCH_SECRET: SECRET });
        result = await confirmAndLimitStatuses(`${next.url}/items/7`).finally(() => next.stop());
      } else if (setup.framework === "next") {
        writeFileSync(join(folder, "probe.mjs"), ROUTE_PROBE);
        const output = run(process.execPath, ["--import", TSX, "probe.mjs", pathToFileURL(join(folder, file)).href], folder, env);
        result = JSON.parse(output.trim().split("\n").at(-1) ?? "{}") as typeof result;
      } else {
        const app = await startOnFreePort(setup.typescript ? ["--import", TSX, file] : [file], folder, env);
        children.push(app.child);
        result = await confirmAndLimitStatuses(`${app.url}/items/7`);
        app.child.kill();
      }
      expect(result.delete).toBe(428);
      expect(result.gets.slice(0, 100).every((status) => status === 200)).toBe(true);
      expect(result.gets[100]).toBe(429);
    },
    300_000,
  );
});
