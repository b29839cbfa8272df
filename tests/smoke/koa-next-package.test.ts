// Smoke test of the published shape for Koa and Next.js: the packed tarball installed with koa and next, built and started.
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildNextApp, startNextApp, type NextServer } from "../e2e/next-server.js";
import { appFolder, getsInARow, run, sharedInstall, startScript } from "./packed-app.js";

const SECRET = { HEXARCH_SECRET: "smoke-secret-0123456789abcdef" };
const POLICIES = `policies:
  - id: rate_limit
    rules:
      - methods: [GET]
        requests_per_minute: 3
  - id: safe_delete
    rules:
      - operation: delete
        action: require_confirmation
`;
const KOA_APP = `import Koa from "koa";
import Router from "@koa/router";
import { hexarch, guard } from "hexarch-guardrails/koa";
const app = new Koa();
const router = new Router();
app.use(hexarch());
router.get("/items", (ctx) => { ctx.body = { ok: true }; });
router.delete("/items/:id", guard("safe_delete"), (ctx) => { ctx.body = { deleted: ctx.params.id }; });
app.use(router.routes());
const server = app.listen(0, "127.0.0.1", () => console.log("PORT " + server.address().port));
`;
const NEXT_ROUTES: Record<string, string> = {
  "items/route.js": `import { withHexarch } from "hexarch-guardrails/next";
export const GET = withHexarch(() => Response.json({ ok: true }));
`,
  "items/[id]/route.js": `import { withHexarch } from "hexarch-guardrails/next";
export const DELETE = withHexarch(async (_request, { params }) => Response.json({ deleted: (await params).id }), { policy: "safe_delete" });
`,
};
const EDGE_ROUTE = `import { withHexarch } from "hexarch-guardrails/next";
export const runtime = "edge";
export const GET = withHexarch(() => Response.json({ ok: true }));
`;

let folder: string;
let koa: ChildProcess | undefined;
let koaBase = "";
let next: NextServer | undefined;
let edgeBuildError = "";

beforeAll(async () => {
  const manifest = JSON.stringify({ name: "smoke-koa-next", private: true, type: "module" });
  folder = appFolder((await sharedInstall()).root, "koa-next-app", {
    "package.json": manifest,
    "hexarch.yaml": POLICIES,
    "koa-app.mjs": KOA_APP,
  });

  const started = await startScript("koa-app.mjs", folder, { ...process.env, ...SECRET });
  koa = started.child;
  koaBase = `http://127.0.0.1:${started.port}`;

  appFolder(folder, "app", { "edge/route.js": EDGE_ROUTE });
  edgeBuildError = await buildNextApp(folder, SECRET).then(
    () => "",
    (error: Error) => error.message,
  );
  appFolder(folder, "app", NEXT_ROUTES);
  await buildNextApp(folder, SECRET);
  next = await startNextApp(folder, SECRET);
}, 900_000);

afterAll(async () => {
  koa?.kill();
  await next?.stop();
}, 30_000);

async function confirmFlow(base: string): Promise<number[]> {
  const first = await fetch(`${base}/items/7`, { method: "DELETE" });
  const body = (await first.json()) as { policy?: string; confirm?: { token?: string } };
  expect(body.policy).toBe("safe_delete");
  const token = body.confirm?.token ?? "";
  const second = await fetch(`${base}/items/7`, { method: "DELETE", headers: { "Hexarch-Confirm": token } });
  return [first.status, second.status];
}

describe("the packed package in a fresh Koa app", () => {
  it("answers a DELETE with 428, then 200 with the token", async () => {
    expect(await confirmFlow(koaBase)).toEqual([428, 200]);
  });

  it("answers the 4th request in a minute with 429 and Retry-After", async () => {
    const { statuses, retryAfter } = await getsInARow(`${koaBase}/items`, 4);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(retryAfter).toMatch(/^\d+$/);
  });

  it("loads ./koa, ./next and ./fetch through require() as well", () => {
    const script =
      'const k = require("hexarch-guardrails/koa"), n = require("hexarch-guardrails/next"), f = require("hexarch-guardrails/fetch"); console.log(typeof k.hexarch, typeof k.guard, typeof n.withHexarch, typeof f.createFetchGuard)';
    expect(run(process.execPath, ["-e", script], folder).trim()).toBe("function function function function");
  });
});

describe("the packed package in a fresh Next.js app (next build + next start)", () => {
  it("answers a DELETE with 428, then 200 with the token", async () => {
    expect(await confirmFlow(next?.url ?? "")).toEqual([428, 200]);
  });

  it("answers the 4th request in a minute with 429 and Retry-After", async () => {
    const { statuses, retryAfter } = await getsInARow(`${next?.url ?? ""}/items`, 4);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(retryAfter).toMatch(/^\d+$/);
  });

  it("an Edge route fails next build with the clear error of the edge-light export, not a missing module", () => {
    expect(edgeBuildError).toContain("withHexarch() cannot run on the Edge runtime");
    expect(edgeBuildError).toContain('export const runtime = "nodejs"');
    expect(edgeBuildError).not.toMatch(/Native module not found|Module not found/);
  });
});
