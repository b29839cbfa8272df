// Smoke test of the published shape: the packed tarball installed with Express in a fresh folder gives a 428 and a 429.
import type { ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appFolder, getsInARow, run, sharedInstall, startScript } from "./packed-app.js";

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

/**
 * Nothing listens on port 1: each peer must load, then fail the way its outage is documented to (fail open; the log goes on without its
 * sink).
 */
const PEERS_APP = `import { createGuardian } from "hexarch-guardrails";
const rule = "policies:\\n  - id: a\\n    fail: open\\n    rules:\\n      - requests_per_minute: 3\\n";
const redis = createGuardian({ policyText: rule + "store:\\n  redis_url: redis://127.0.0.1:1\\n", env: {} });
const pg = createGuardian({ policyText: rule + "logging:\\n  postgres_url: postgres://postgres@127.0.0.1:1/none\\n", env: {} });
const outcomes = [(await redis.check("a", {})).outcome, (await pg.check("a", {})).outcome];
await Promise.all([redis.close(), pg.close()]);
console.log(outcomes.join(" "));
`;

let folder: string;
let child: ChildProcess | undefined;
let base: string;

beforeAll(async () => {
  const manifest = JSON.stringify({ name: "smoke-app", private: true, type: "module" });
  folder = appFolder((await sharedInstall()).root, "express-app", { "package.json": manifest, "hexarch.yaml": POLICIES, "app.mjs": APP });
  const app = await startScript("app.mjs", folder, { ...process.env, HEXARCH_SECRET: "smoke-secret-0123456789abcdef" });
  child = app.child;
  base = `http://127.0.0.1:${app.port}`;
}, 900_000);

afterAll(() => {
  child?.kill();
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

  it("loads its optional peers from an ES module app: a Redis store and a Postgres decision log named in the file (no dynamic-require crash)", () => {
    writeFileSync(join(folder, "peers.mjs"), PEERS_APP);
    expect(run(process.execPath, ["peers.mjs"], folder).trim().split("\n").at(-1)).toBe("warn allow");
  });

  it("loads through require() as well", () => {
    const output = run(
      process.execPath,
      ["-e", 'const m = require("hexarch-guardrails/express"); console.log(typeof m.hexarch, typeof m.guard)'],
      folder,
    );
    expect(output.trim()).toBe("function function");
  });
});
