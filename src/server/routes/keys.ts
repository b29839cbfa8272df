// /v1/keys: API key management over HTTP (admin scope), answered only when the server was started with --manage-keys.
import type { Hono } from "hono";
import { z } from "zod";
import { createKey, readKeys, revokeKey } from "../api-keys.js";
import { readBody, sendProblem } from "../respond.js";
import type { ServerDeps, ServerEnv } from "../server-deps.js";

/** POST /v1/keys. */
export const KeyRequestSchema = z.strictObject({
  name: z.string().min(1).max(128),
  scopes: z
    .array(z.enum(["decide", "approve", "view", "admin"]))
    .min(1)
    .max(4),
});

/**
 * Adds key management to `app`: with `keysFile` undefined (the default) every /v1/keys route answers 404 saying how to
 * turn it on, so a stolen admin key cannot mint keys unless the operator chose to allow it.
 * @example keyRoutes(app, deps, manageKeys ? keysPath : undefined)
 */
export function keyRoutes(app: Hono<ServerEnv>, deps: ServerDeps, keysFile: string | undefined): void {
  if (keysFile === undefined) {
    app.all("/v1/keys/*", (c) =>
      sendProblem(c, 404, "key management over HTTP is off: use hexarch keys, or start the server with --manage-keys"),
    );
    app.all("/v1/keys", (c) =>
      sendProblem(c, 404, "key management over HTTP is off: use hexarch keys, or start the server with --manage-keys"),
    );
    return;
  }
  app.get("/v1/keys", function listKeys(c) {
    return c.json({ keys: readKeys(keysFile).map(({ hash: _hash, ...shown }) => shown) });
  });
  app.post("/v1/keys", async function createApiKey(c) {
    const parsed = await readBody(c, KeyRequestSchema);
    if (!parsed.ok) return parsed.response;
    const { key, stored } = createKey(keysFile, parsed.value.name, parsed.value.scopes);
    deps.logger.info(
      { id: stored.id, name: stored.name, scopes: stored.scopes, by: c.get("caller").id },
      "hexarch serve: API key created over HTTP",
    );
    const { hash: _hash, ...shown } = stored;
    return c.json({ key, ...shown }, 201);
  });
  app.delete("/v1/keys/:id", function revokeApiKey(c) {
    if (!revokeKey(keysFile, c.req.param("id"))) return sendProblem(c, 404, `no active key with id or name "${c.req.param("id")}"`);
    deps.logger.info({ id: c.req.param("id"), by: c.get("caller").id }, "hexarch serve: API key revoked over HTTP");
    return c.json({ revoked: c.req.param("id") });
  });
}
