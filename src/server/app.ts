// The decision server's HTTP app: request ids, security headers, optional CORS, body limit, auth, and every route.
import { Hono } from "hono";
import { cors } from "hono/cors";
import { bodyLimit } from "./body-limit.js";
import { requireScope } from "./auth.js";
import { openApiDocument } from "./openapi.js";
import { sendProblem } from "./respond.js";
import { adminRoutes } from "./routes/admin.js";
import { keyRoutes } from "./routes/keys.js";
import { decisionRoutes } from "./routes/decisions.js";
import { eventRoutes } from "./routes/events.js";
import { approvalRoutes } from "./routes/approvals.js";
import { approvalPageRoutes } from "./routes/approval-page.js";
import { budgetRoutes } from "./routes/budgets.js";
import type { Ctx, ServerDeps, ServerEnv } from "./server-deps.js";
import { healthOf } from "./health.js";
import { standardHeaders } from "./standard-headers.js";

/** Default most bytes of a request body: 1 MiB. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/**
 * The app for `deps`, ready for any fetch-style server (`@hono/node-server` in `hexarch serve`).
 * @example const app = createApp(deps); serve({ fetch: app.fetch, port: 8099 });
 */
export function createApp(deps: ServerDeps): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  app.use(standardHeaders());
  if (deps.cors !== undefined)
    app.use(
      cors({
        origin: deps.cors,
        allowHeaders: ["Authorization", "Content-Type", "X-API-Key"],
        allowMethods: ["GET", "POST"],
        exposeHeaders: ["X-Request-Id", "Retry-After"],
      }),
    );
  app.use(
    bodyLimit({
      maxSize: deps.bodyLimit,
      // The rest of the body is never read: the connection closes after the answer, so no client reuses it mid-body.
      onError: (c: Ctx) =>
        sendProblem(c, 413, `the body is larger than ${deps.bodyLimit} bytes, the most this server accepts`, undefined, {
          Connection: "close",
        }),
    }),
  );

  app.get("/health", async function health(c) {
    return c.json(await healthOf(deps));
  });
  const document = JSON.stringify(openApiDocument());
  app.get("/openapi.json", function openapi(c) {
    return c.body(document, 200, { "Content-Type": "application/json" });
  });

  const decide = requireScope(deps, "decide");
  const admin = requireScope(deps, "admin");
  app.get("/v1/decisions", admin);
  app.get("/metrics", admin);
  app.use("/v1/keys", admin);
  app.use("/v1/keys/*", admin);
  app.use("/v1/approvals/*", requireScope(deps, "approve")).use("/v1/approvals", requireScope(deps, "approve"));
  app.use("/v1/*", decide);
  app.use("/authorize", decide);
  app.use("/events/*", decide);
  decisionRoutes(app, deps);
  eventRoutes(app, deps);
  adminRoutes(app, deps);
  keyRoutes(app, deps, deps.manageKeys);
  approvalRoutes(app, deps);
  budgetRoutes(app, deps);
  approvalPageRoutes(app, deps);

  app.notFound((c) => sendProblem(c, 404, `no route ${c.req.method} ${c.req.path}; see /openapi.json`));
  app.onError((error, c) => {
    const storeDown = error.name === "RedisStoreError";
    deps.logger.error({ err: error, requestId: c.get("requestId") }, "hexarch serve: request failed");
    if (storeDown) deps.metrics.storeFailures.inc();
    return storeDown
      ? sendProblem(c, 503, "the counter store is unavailable; retry shortly", undefined, { "Retry-After": "5" })
      : sendProblem(c, 500, "the server failed to answer; the error is in its log");
  });
  return app;
}
