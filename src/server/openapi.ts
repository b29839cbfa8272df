// The OpenAPI 3.1 document served at /openapi.json, generated from the zod schemas the routes validate with.
import { z } from "zod";
import { packageVersion } from "../package-version.js";
import {
  ApprovalSchema,
  ApproveRequestSchema,
  DenyRequestSchema,
  AuthorizeRequestSchema,
  AuthorizeResponseSchema,
  DecisionRequestSchema,
  DecisionResponseSchema,
  ExplainRequestSchema,
  HealthSchema,
  ProblemSchema,
  ProviderCallSchema,
  SettleRequestSchema,
} from "./schemas.js";
import { KeyRequestSchema } from "./routes/keys.js";

function jsonSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  return rest;
}

const ref = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown): Record<string, unknown> => ({ content: { "application/json": { schema } } });

/** Headers some problems carry, by status. */
const PROBLEM_HEADERS: Readonly<Record<number, Record<string, unknown>>> = {
  401: { "WWW-Authenticate": { description: 'Bearer realm="hexarch"', schema: { type: "string" } } },
  413: { Connection: { description: "close: the rest of the body is never read", schema: { type: "string" } } },
  429: { "Retry-After": { description: "seconds until this key may call again", schema: { type: "integer" } } },
  503: { "Retry-After": { description: "seconds to wait before retrying", schema: { type: "integer" } } },
};

/** What each problem status means on this server. */
const PROBLEM_MEANING: Readonly<Record<number, string>> = {
  400: "the body, a query parameter or a named policy is wrong; `errors` names each field",
  401: "no API key, or a wrong or revoked one",
  403: "the key lacks the route's scope, or (on a server with no keys) the Host is not a loopback name",
  404: "not found",
  409: "conflict",
  413: "the body is larger than --body-limit",
  415: "the body is not sent as JSON",
  429: "this key made more calls than --caller-limit allows",
  500: "the server failed to answer; the error is in its log",
  503: "the counter store is unavailable",
};

/** Problem answers (RFC 9457) for `statuses`, each described by `meaning` or the server-wide wording. */
function problems(statuses: readonly number[], meaning: Readonly<Record<number, string>> = {}): Record<string, unknown> {
  return Object.fromEntries(
    statuses.map((status) => {
      const headers = PROBLEM_HEADERS[status];
      const answer = {
        description: meaning[status] ?? PROBLEM_MEANING[status] ?? "problem details",
        ...(headers === undefined ? {} : { headers }),
        content: { "application/problem+json": { schema: ref("Problem") } },
      };
      return [String(status), answer];
    }),
  );
}
const secured = [{ bearer: [] }];
/** What every route behind an API key can answer besides its own: no key, wrong scope, over the caller limit, a fault. */
const GUARDED = [401, 403, 429, 500];
/** Answered when the counter store fails (a Redis outage the route cannot turn into a decision). */
const STORE_DOWN = 503;
/** What every route reading a JSON body can answer besides: a bad body, too large, not JSON. */
const WITH_BODY = [400, 413, 415];

/** One operation's description. */
interface Operation {
  readonly operationId: string;
  readonly summary: string;
  /** Scope the key needs; undefined for the public routes. */
  readonly scope?: "decide" | "admin" | "approve" | "view";
  /** Component schema of the JSON body; undefined for routes without one. */
  readonly request?: string;
  /** The success answer: its status (default 200), description and `content`. */
  readonly ok: { readonly status?: number; readonly description: string; readonly body: Record<string, unknown> };
  /** Problem statuses of this route's own, beyond the ones every guarded route and every body reader has. */
  readonly more?: readonly number[];
  /** What this route's problems mean, where it differs from the server-wide wording. */
  readonly meaning?: Readonly<Record<number, string>>;
  readonly parameters?: readonly unknown[];
}

/** An OpenAPI operation object for `op`, with every answer the route can give. */
function operation(op: Operation): Record<string, unknown> {
  const own = [...(op.scope === undefined ? [] : GUARDED), ...(op.request === undefined ? [] : WITH_BODY), ...(op.more ?? [])];
  const statuses = [...new Set(own)].sort((a, b) => a - b);
  return {
    operationId: op.operationId,
    summary: op.summary,
    security: op.scope === undefined ? [] : secured,
    ...(op.scope === undefined ? {} : { "x-scope": op.scope }),
    ...(op.parameters === undefined ? {} : { parameters: op.parameters }),
    ...(op.request === undefined ? {} : { requestBody: { required: true, ...json(ref(op.request)) } }),
    responses: {
      [String(op.ok.status ?? 200)]: { description: op.ok.description, ...op.ok.body },
      ...problems(statuses, op.meaning),
    },
  };
}

const idParameter = (description: string): unknown[] => [
  { name: "id", in: "path", required: true, description, schema: { type: "string" } },
];
/** The path item of POST /v1/approvals/{id}/approve or /deny: a person's verdict on a pending request. */
function approvalVerdict(verdict: "approve" | "deny", summary: string, request: string): Record<string, unknown> {
  return {
    post: operation({
      operationId: `${verdict}Approval`,
      summary,
      scope: "approve",
      request,
      ok: { description: `the ${verdict === "approve" ? "approved" : "denied"} request`, body: json(ref("Approval")) },
      more: [404, 409, STORE_DOWN],
      meaning: { 404: "no approval request with this id", 409: "the request is no longer pending" },
    }),
    parameters: idParameter("an approval id from a 428's approval object"),
  };
}
const KEYS_OFF = { 404: "key management over HTTP is off (start the server with --manage-keys)" };

/**
 * The API's OpenAPI 3.1 document. Request bodies are the very schemas the server validates with, so the document
 * cannot drift from what it accepts.
 * @example const doc = openApiDocument(); doc.paths["/v1/decisions"].post.requestBody
 */
export function openApiDocument(): Record<string, unknown> {
  const schemas = {
    DecisionRequest: jsonSchema(DecisionRequestSchema, "input"),
    Decision: jsonSchema(DecisionResponseSchema, "output"),
    ExplainRequest: jsonSchema(ExplainRequestSchema, "input"),
    SettleRequest: jsonSchema(SettleRequestSchema, "input"),
    ProviderCall: jsonSchema(ProviderCallSchema, "input"),
    AuthorizeRequest: jsonSchema(AuthorizeRequestSchema, "input"),
    AuthorizeResponse: jsonSchema(AuthorizeResponseSchema, "output"),
    Health: jsonSchema(HealthSchema, "output"),
    Problem: jsonSchema(ProblemSchema, "output"),
    KeyRequest: jsonSchema(KeyRequestSchema, "input"),
    ApproveRequest: jsonSchema(ApproveRequestSchema, "input"),
    DenyRequest: jsonSchema(DenyRequestSchema, "input"),
    Approval: jsonSchema(ApprovalSchema, "output"),
  };
  const anyObject = json({ type: "object" });
  return {
    openapi: "3.1.0",
    info: {
      title: "hexarch decision API",
      version: packageVersion(),
      license: { name: "MIT", identifier: "MIT" },
      description:
        "Decisions from hexarch.yaml policies over HTTP. A refusal is a 200 carrying its decision; 4xx are bad requests and auth. " +
        "Any other path answers 404 with a problem body; a request whose headers or body arrive later than " +
        "--headers-timeout or --request-timeout is answered 408 and its connection closed; with --cors, preflight " +
        "requests are answered 204. HEAD on a GET route answers as the GET would, without the body.",
    },
    servers: [{ url: "/", description: "the server that serves this document (hexarch serve binds 127.0.0.1:8099 by default)" }],
    components: {
      schemas,
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "an hxk_ API key, or the dev token" } },
    },
    paths: {
      "/health": {
        get: operation({
          operationId: "getHealth",
          summary: "status, policy digest, store and log",
          ok: { description: "ok or degraded", body: json(ref("Health")) },
        }),
      },
      "/openapi.json": {
        get: operation({
          operationId: "getOpenApiDocument",
          summary: "this document",
          ok: { description: "OpenAPI 3.1", body: anyObject },
        }),
      },
      "/v1/decisions": {
        post: operation({
          operationId: "decide",
          summary: "decide a call",
          scope: "decide",
          request: "DecisionRequest",
          ok: { description: "the decision, a refusal included", body: json(ref("Decision")) },
          more: [STORE_DOWN],
          meaning: { 400: "the body is wrong, or names a policy the file does not have" },
        }),
        get: operation({
          operationId: "listDecisions",
          summary: "decisions read back from the decision log",
          scope: "admin",
          parameters: ["policy", "outcome", "since", "until", "limit"].map((name) => ({
            name,
            in: "query",
            required: false,
            schema: { type: name === "limit" ? "integer" : "string" },
          })),
          ok: { description: "matching records, oldest first", body: anyObject },
          more: [400, 404],
          meaning: { 400: "an unknown or malformed query parameter", 404: "this server keeps no decision log" },
        }),
      },
      "/v1/decisions/{id}/settle": {
        post: operation({
          operationId: "settleDecision",
          summary:
            "settle a decision's reservation with the actual cost, once, with the key that made the decision or an admin key " +
            "(after its reservation_ttl the answer is 200 with result expired and nothing changes)",
          scope: "decide",
          request: "SettleRequest",
          ok: { description: "settled, or why nothing changed", body: anyObject },
          more: [404, 409, STORE_DOWN],
          meaning: {
            403: "the decision was made with another key (or the key lacks the scope)",
            404: "no decision this server issued has this id",
            409: "the decision was settled already",
          },
        }),
        parameters: idParameter("a decision id from POST /v1/decisions"),
      },
      "/v1/explain": {
        post: operation({
          operationId: "explain",
          summary: "every rule, applied or not, and why (never counted)",
          scope: "decide",
          request: "ExplainRequest",
          ok: { description: "the decision it would be and every rule's part", body: anyObject },
        }),
      },
      "/v1/events/provider-calls": { post: providerCall("recordProviderCall", "") },
      "/events/provider-calls": { post: providerCall("recordProviderCallAtSeedPath", " (the seed's path for the same route)") },
      "/authorize": {
        post: operation({
          operationId: "authorize",
          summary: "the seed's authorize call",
          scope: "decide",
          request: "AuthorizeRequest",
          ok: { description: "ALLOW or DENY", body: json(ref("AuthorizeResponse")) },
          more: [STORE_DOWN],
        }),
      },
      "/v1/policies": {
        get: operation({
          operationId: "listPolicies",
          summary: "the policies in use",
          scope: "decide",
          ok: { description: "policies", body: anyObject },
        }),
      },
      "/v1/policies/{id}": {
        get: operation({
          operationId: "getPolicy",
          summary: "one policy",
          scope: "decide",
          ok: { description: "the policy", body: anyObject },
          more: [404],
          meaning: { 404: "no policy with this id" },
        }),
        parameters: idParameter("a policy id"),
      },
      "/v1/keys": {
        post: operation({
          operationId: "createApiKey",
          summary: "create an API key (only with --manage-keys; the key is shown once)",
          scope: "admin",
          request: "KeyRequest",
          ok: { status: 201, description: "the new key, shown this once", body: anyObject },
          more: [404],
          meaning: KEYS_OFF,
        }),
        get: operation({
          operationId: "listApiKeys",
          summary: "list API keys, never their hashes (only with --manage-keys)",
          scope: "admin",
          ok: { description: "keys", body: anyObject },
          more: [404],
          meaning: KEYS_OFF,
        }),
      },
      "/v1/keys/{id}": {
        delete: operation({
          operationId: "revokeApiKey",
          summary: "revoke an API key (only with --manage-keys)",
          scope: "admin",
          ok: { description: "revoked", body: anyObject },
          more: [404],
          meaning: { 404: "no active key with this id or name, or key management over HTTP is off" },
        }),
        parameters: idParameter("a key's id or name"),
      },
      "/v1/approvals": {
        get: operation({
          operationId: "listApprovals",
          summary: "pending approval requests, oldest first (a key with the approve or admin scope; never the dev token)",
          scope: "approve",
          ok: { description: "{ approvals: [...] }", body: anyObject },
          more: [STORE_DOWN],
        }),
      },
      "/v1/approvals/{id}": {
        get: operation({
          operationId: "getApproval",
          summary: "one approval request and what it asks",
          scope: "approve",
          ok: { description: "the request", body: json(ref("Approval")) },
          more: [404, STORE_DOWN],
          meaning: { 404: "no approval request with this id" },
        }),
        parameters: idParameter("an approval id from a 428's approval object"),
      },
      "/v1/approvals/{id}/approve": approvalVerdict(
        "approve",
        "a person approves a pending request: the same call is then admitted once",
        "ApproveRequest",
      ),
      "/v1/approvals/{id}/deny": approvalVerdict(
        "deny",
        "a person denies a pending request, saying why: the call is refused (deny) naming both",
        "DenyRequest",
      ),
      "/budgets/data": {
        get: operation({
          operationId: "getBudgets",
          summary:
            "each budget and key this period (spent, reserved, limit, warning threshold, burn rate, projection, reset time) and the budget refusals of the last day; the budgets page polls it (a view or admin key, or the page's sign-in cookie)",
          scope: "view",
          ok: { description: "budgets", body: anyObject },
          more: [STORE_DOWN],
        }),
      },
      "/metrics": {
        get: operation({
          operationId: "getMetrics",
          summary: "Prometheus metrics",
          scope: "admin",
          ok: { description: "text exposition format", body: { content: { "text/plain": { schema: { type: "string" } } } } },
        }),
      },
    },
  };
}

/** POST /v1/events/provider-calls, documented once for each of its two paths. */
function providerCall(operationId: string, where: string): Record<string, unknown> {
  return operation({
    operationId,
    summary:
      "record a provider call and charge its cost to the budgets; with decision_id, settle that decision as its settle " +
      `route does${where}`,
    scope: "decide",
    request: "ProviderCall",
    ok: { description: "charged, or how the decision was settled", body: json({ type: "object" }) },
    more: [404, STORE_DOWN],
    meaning: {
      403: "decision_id names another key's decision (or the key lacks the scope)",
      404: "decision_id names no decision this server issued",
    },
  });
}
