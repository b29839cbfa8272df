// Smoke test of the published shape: pack the package, install the tarball with Express in a fresh folder, get a 428 and a 429.
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getsInARow, packIsolated, run, startScript } from "./packed-app.js";

const POLICIES = `policies:
  - id: rate_limit
    rules:
      - requests_per_minute: 3
  - id: safe_delete
    rules:
      - operation: delete
        action: require_confirmation
`;
const APP = `import express from "express";
import { hexarch } from "hexarch-guardrails/express";
const app = express();
app.use(express.json());
app.use(hexarch());
app.use((req, res) => res.json({ ok: true }));
const server = app.listen(0, "127.0.0.1", () => console.log("PORT " + server.address().port));
`;

let folder: string;
let child: ChildProcess | undefined;
let base: string;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), "hexarch-smoke-"));
  const tarball = packIsolated(folder);
  writeFileSync(join(folder, "package.json"), JSON.stringify({ name: "smoke-app", private: true, type: "module" }));
  writeFileSync(join(folder, "hexarch.yaml"), POLICIES);
  writeFileSync(join(folder, "app.mjs"), APP);
  run("npm", ["install", tarball, "express@5", "--no-audit", "--no-fund", "--prefer-offline", "--silent"], folder);
  const app = await startScript("app.mjs", folder, { ...process.env, HEXARCH_SECRET: "smoke-secret-0123456789abcdef" });
  child = app.child;
  base = `http://127.0.0.1:${app.port}`;
}, 240_000);

afterAll(() => {
  child?.kill();
  if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
});

describe("the packed package in a fresh Express app", () => {
  it("answers a DELETE with 428 and a confirmation token", async () => {
    const answer = await fetch(`${base}/users/1`, { method: "DELETE" });
    expect(answer.status).toBe(428);
    expect(answer.headers.get("content-type")).toBe("application/problem+json");
    const body = (await answer.json()) as { policy: string; confirm: { token: string } };
    expect(body.policy).toBe("safe_delete");
    expect(body.confirm.token).toMatch(/^v2\./);
  });

  it("answers the 4th request in a minute with 429 and Retry-After", async () => {
    const { statuses, retryAfter } = await getsInARow(`${base}/items`, 4);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(retryAfter).toMatch(/^\d+$/);
  });

  it("loads through require() as well", () => {
    const output = run(process.execPath, ["-e", 'const m = require("hexarch-guardrails/express"); console.log(typeof m.hexarch, typeof m.guard)'], folder);
    expect(output.trim()).toBe("function function");
  });
});
