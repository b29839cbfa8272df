// Every answer the decision server gives is in its OpenAPI document: each operation the document lists is driven with
// the requests that produce each of its statuses (the auth, caller-limit and body problems generated from the document
// itself), and each answer's status and content type must be described for that operation; every status the document
// lists must in turn be produced, so the document claims nothing the server never says.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey, keysFileFor } from "../../src/server/api-keys.js";
import { SERVER_POLICIES, startTestServer, type TestServer } from "./serve-support.js";

interface Described {
  readonly content?: Record<string, unknown>;
}
interface OperationDoc {
  readonly operationId: string;
  readonly security: readonly unknown[];
  readonly requestBody?: unknown;
  readonly responses: Record<string, Described>;
}
type Doc = { paths: Record<string, Record<string, OperationDoc>> };

/** One answer seen: the operation asked, its status and its media type without parameters (undefined: no body). */
interface Seen {
  readonly operation: string;
  readonly status: number;
  readonly type: string | undefined;
}

/** Statuses documented but not produced here, each with why: they need a fault the test cannot cause from outside. */
const UNDRIVEN: Readonly<Record<string, string>> = {
  "*:500": "an unexpected failure inside the server",
  "decide:503": "the store failing between deciding and holding the reservation",
  "authorize:503": "the store failing between deciding and holding the reservation",
};

const BODY_LIMIT = 4096;
let doc: Doc;
/** Keys, its own decision log, key management on: the routes' own answers. */
let keyed: TestServer;
/** No keys, no log, key management off, a Redis store nobody answers at: 403 by Host, 404s, 503s. */
let bare: TestServer;
/** No keys and one call a second: 429. */
let limited: TestServer;
/** Keys, one call a second and a Redis nobody answers at: 503 then 429 on the routes an open server never serves (approve). */
let keyedDown: TestServer;
/** An approve key per approve-scoped route, each with its own one-a-second limit. */
let downApprovers: Record<string, string>[];
let approveRoutes = 0;
let admin: Record<string, string>;
let decider: Record<string, string>;
let otherDecider: Record<string, string>;
const seen: Seen[] = [];

const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });

/** Sends one request over node:http (which, unlike fetch, lets a test set Host) and returns the answer's parts. */
function send(
  server: TestServer,
  method: string,
  path: string,
  options: { body?: string; type?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; type: string | undefined; text: string }> {
  const headers: Record<string, string | number> = { ...options.headers };
  if (options.body !== undefined) {
    headers["content-type"] = options.type ?? "application/json";
    headers["content-length"] = Buffer.byteLength(options.body);
  }
  return new Promise((resolve, reject) => {
    const req = request(`${server.server.url}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, type: res.headers["content-type"], text: Buffer.concat(chunks).toString() }),
      );
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

/** The operation a method and concrete path belong to, by the document's path templates. */
function operationOf(method: string, path: string): string {
  const bare = path.split("?")[0] ?? path;
  for (const [template, item] of Object.entries(doc.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+").replace(/\./g, "\\.")}$`);
    // HEAD is answered as the GET of the same path (the document says so once, in its description).
    const op = item[method === "HEAD" ? "get" : method.toLowerCase()];
    if (pattern.test(bare) && op !== undefined) return op.operationId;
  }
  throw new Error(`no operation in the document for ${method} ${path}`);
}

/** Sends a request and records its answer against its operation; returns the answer for the next step. */
async function ask(
  server: TestServer,
  method: string,
  path: string,
  options: { body?: unknown; type?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; text: string }> {
  const { body, ...rest } = options;
  const text = body === undefined || typeof body === "string" ? body : JSON.stringify(body);
  const answer = await send(server, method, path, { ...rest, ...(text === undefined ? {} : { body: text }) });
  seen.push({ operation: operationOf(method, path), status: answer.status, type: answer.type?.split(";")[0]?.trim() });
  return answer;
}

/** A concrete path for a template: `{id}` filled with `id`. */
const concrete = (template: string, id = "x"): string => template.replace(/\{[^}]+\}/g, id);

beforeAll(async () => {
  const approval = "  - id: prod_delete\n    rules:\n      - operation: delete\n        action: require_approval\n";
  const logged = `${SERVER_POLICIES}${approval}logging:\n  file: decisions.log\n`;
  keyed = await startTestServer(logged, { callerLimit: 0, manageKeys: true, bodyLimit: BODY_LIMIT });
  const keys = keysFileFor(keyed.policyFile);
  admin = bearer(createKey(keys, "ops", ["admin"]).key);
  decider = bearer(createKey(keys, "app", ["decide"]).key);
  otherDecider = bearer(createKey(keys, "other", ["decide"]).key);
  keyed.server.reload();
  bare = await startTestServer(`${SERVER_POLICIES}store:\n  redis_url: redis://127.0.0.1:1\n`, { callerLimit: 0 });
  limited = await startTestServer(SERVER_POLICIES, { callerLimit: 1 });
  keyedDown = await startTestServer(`${SERVER_POLICIES}store:\n  redis_url: redis://127.0.0.1:1\n`, { callerLimit: 1 });
  downApprovers = [0, 1, 2, 3].map((n) => bearer(createKey(keysFileFor(keyedDown.policyFile), `person-${n}`, ["approve"]).key));
  keyedDown.server.reload();
  doc = JSON.parse((await send(keyed, "GET", "/openapi.json")).text) as Doc;
});
afterAll(async () => {
  await Promise.all([keyed?.stop(), bare?.stop(), limited?.stop(), keyedDown?.stop()]);
});

/** Every documented operation as [method, path template, operation]. */
function operations(): [string, string, OperationDoc][] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => ["get", "post", "delete"].includes(method))
      .map(([method, op]): [string, string, OperationDoc] => [method.toUpperCase(), path, op]),
  );
}

describe("every answer the decision server gives is in its OpenAPI document", () => {
  it("drives the problems every guarded route and every JSON body can give, generated from the document", async () => {
    for (const [method, path, op] of operations()) {
      const at = concrete(path);
      if (op.security.length > 0) {
        await ask(keyed, method, at); // no key: 401
        await ask(bare, method, at, { headers: { host: "attacker.example" } }); // open server, another Host: 403
        const scope = (op as { "x-scope"?: string })["x-scope"];
        if (scope === "admin" || scope === "approve" || scope === "view") await ask(keyed, method, at, { headers: decider }); // 403
        for (let i = 0; i < 4; i++) await ask(limited, method, at); // over one call a second: 429
        // An open server never lets anyone approve: the store failing (503) and the limit (429) need keys.
        const wellFormed = concrete(path, `ap_${"A".repeat(22)}`);
        if (scope === "approve")
          for (let i = 0; i < 4; i++)
            await ask(keyedDown, method, wellFormed, {
              // One key per route: its first call meets the store (503), the next ones the key's limit (429).
              headers: downApprovers[approveRoutes] ?? {},
              ...(method === "POST" ? { body: path.endsWith("/deny") ? { reason: "r" } : {} } : {}),
            });
        if (scope === "approve") approveRoutes += 1;
      }
      if (method === "GET") await ask(keyed, "HEAD", at, { headers: admin });
      if (op.requestBody !== undefined) {
        const headers = ["admin", "approve"].includes((op as { "x-scope"?: string })["x-scope"] ?? "") ? admin : decider;
        await ask(keyed, method, at, { body: "{}", type: "text/plain", headers }); // 415
        await ask(keyed, method, at, { body: "{", headers }); // 400
        await ask(keyed, method, at, { body: JSON.stringify({ pad: "x".repeat(BODY_LIMIT) }), headers }); // 413
      }
    }
  });

  it("drives each route's own answers", async () => {
    await ask(keyed, "GET", "/health");
    await ask(keyed, "GET", "/openapi.json");
    await ask(keyed, "GET", "/metrics", { headers: admin });
    await ask(keyed, "GET", "/v1/policies", { headers: decider });
    await ask(keyed, "GET", "/budgets/data", { headers: admin });
    await ask(bare, "GET", "/budgets/data"); // the store is down: 503
    await ask(keyed, "GET", "/v1/policies/tight", { headers: decider });
    await ask(keyed, "GET", "/v1/policies/nope", { headers: decider });

    const spend = { policy: "spend", context: { resource: "openai", cost: 1 } };
    const decided = await ask(keyed, "POST", "/v1/decisions", { body: spend, headers: decider });
    const id = (JSON.parse(decided.text) as { id: string }).id;
    await ask(keyed, "POST", "/v1/decisions", { body: { policy: "nope", context: {} }, headers: decider }); // 400
    await ask(keyed, "GET", "/v1/decisions?limit=5", { headers: admin });
    await ask(keyed, "GET", "/v1/decisions?limit=0", { headers: admin }); // 400
    await ask(bare, "GET", "/v1/decisions"); // no log: 404
    await ask(keyed, "POST", "/v1/explain", { body: { context: { resource: "openai" } }, headers: decider });

    await ask(keyed, "POST", `/v1/decisions/${id}/settle`, { body: { cost: 1 }, headers: otherDecider }); // 403
    await ask(bare, "POST", `/v1/decisions/${id}/settle`, { body: { cost: 1 } }); // the store is down: 503
    await ask(keyed, "POST", "/v1/decisions/d_unknown.forged/settle", { body: { cost: 1 }, headers: decider }); // 404
    await ask(keyed, "POST", `/v1/decisions/${id}/settle`, { body: { cost: 0.5 }, headers: decider });
    await ask(keyed, "POST", `/v1/decisions/${id}/settle`, { body: { cost: 0.5 }, headers: decider }); // 409

    for (const path of ["/v1/events/provider-calls", "/events/provider-calls"]) {
      const again = JSON.parse((await ask(keyed, "POST", "/v1/decisions", { body: spend, headers: decider })).text) as { id: string };
      await ask(keyed, "POST", path, { body: { provider: "openai", cost: 1 }, headers: decider });
      await ask(keyed, "POST", path, { body: { provider: "openai", cost: 1, policy: "nope" }, headers: decider }); // 400
      await ask(keyed, "POST", path, { body: { provider: "openai", cost: 1, decision_id: "d_unknown.forged" }, headers: decider }); // 404
      await ask(keyed, "POST", path, { body: { provider: "openai", cost: 1, decision_id: again.id }, headers: otherDecider }); // 403
      await ask(bare, "POST", path, { body: { provider: "openai", cost: 1 } }); // 503
    }

    await ask(keyed, "POST", "/authorize", { body: { action: "delete", resource: "users" }, headers: decider });
    await ask(keyed, "POST", "/authorize", { body: { action: "read", context: { cost: "a lot" } }, headers: decider }); // 400

    const created = await ask(keyed, "POST", "/v1/keys", { body: { name: "ci", scopes: ["decide"] }, headers: admin }); // 201
    await ask(keyed, "GET", "/v1/keys", { headers: admin });
    await ask(keyed, "DELETE", `/v1/keys/${(JSON.parse(created.text) as { id: string }).id}`, { headers: admin });
    await ask(keyed, "DELETE", "/v1/keys/nobody", { headers: admin }); // 404
    for (const [method, path] of [
      ["GET", "/v1/keys"],
      ["POST", "/v1/keys"],
      ["DELETE", "/v1/keys/x"],
    ] as const)
      await ask(bare, method, path, method === "POST" ? { body: { name: "ci", scopes: ["decide"] } } : {}); // off: 404

    const drop = { policy: "prod_delete", context: { operation: "delete", resource: "users" } };
    const asked = JSON.parse((await ask(keyed, "POST", "/v1/decisions", { body: drop, headers: decider })).text) as {
      approval: { id: string };
    };
    const approvalId = asked.approval.id;
    await ask(keyed, "GET", "/v1/approvals", { headers: admin });
    await ask(keyed, "GET", `/v1/approvals/${approvalId}`, { headers: admin });
    await ask(keyed, "GET", "/v1/approvals/nobody", { headers: admin }); // 404
    for (const verdict of ["approve", "deny"]) {
      const nobody = `/v1/approvals/ap_${"B".repeat(22)}/${verdict}`;
      await ask(keyed, "POST", nobody, { body: verdict === "deny" ? { reason: "no" } : {}, headers: admin }); // 404
      await ask(keyed, "POST", `/v1/approvals/${approvalId}/${verdict}`, { body: { by: 7 }, headers: admin }); // 400
    }
    const second = JSON.parse(
      (await ask(keyed, "POST", "/v1/decisions", { body: { ...drop, context: { ...drop.context, resource: "orders" } }, headers: decider }))
        .text,
    ) as { approval: { id: string } };
    await ask(keyed, "POST", `/v1/approvals/${approvalId}/approve`, { body: { by: "ops" }, headers: admin });
    await ask(keyed, "POST", `/v1/approvals/${approvalId}/deny`, { body: { reason: "late" }, headers: admin }); // 409
    await ask(keyed, "POST", `/v1/approvals/${second.approval.id}/deny`, { body: { reason: "no" }, headers: admin });
    await ask(keyed, "POST", `/v1/approvals/${second.approval.id}/approve`, { body: {}, headers: admin }); // 409
  });

  it("finds each answer's status and content type described for its operation", () => {
    const byId = new Map(operations().map(([, , op]) => [op.operationId, op]));
    const undescribed = seen.filter(({ operation, status, type }) => {
      const described = byId.get(operation)?.responses[String(status)];
      if (described === undefined) return true;
      const types = Object.keys(described.content ?? {});
      return type === undefined ? types.length > 0 : !types.includes(type);
    });
    expect(seen.length).toBeGreaterThan(100);
    expect(undescribed).toEqual([]);
  });

  it("produces every status the document lists, but for the faults named in UNDRIVEN", () => {
    const produced = new Set(seen.map(({ operation, status }) => `${operation}:${status}`));
    const unproduced = operations().flatMap(([, , op]) =>
      Object.keys(op.responses)
        .map((status) => `${op.operationId}:${status}`)
        .filter((key) => !produced.has(key) && UNDRIVEN[key] === undefined && UNDRIVEN[`*:${key.split(":")[1]}`] === undefined),
    );
    expect(unproduced).toEqual([]);
  });
});
