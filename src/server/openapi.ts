// The OpenAPI 3.1 document served at /openapi.json, generated from the zod schemas the routes validate with.
import { z } from "zod";
import { packageVersion } from "../package-version.js";
import {
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
const problems = (...statuses: number[]): Record<string, unknown> =>
  Object.fromEntries(
    statuses.map((status) => [
      String(status),
      { description: "problem details (RFC 9457)", content: { "application/problem+json": { schema: ref("Problem") } } },
    ]),
  );
const secured = [{ bearer: [] }];

/** A POST route taking `request` and answering `response`, with the problems every route has and `more` of its own. */
function post(summary: string, request: string, response: unknown, scope = "decide", ...more: number[]): Record<string, unknown> {
  const statuses = [...new Set([400, 401, 403, 413, 415, 429, ...more])].sort((a, b) => a - b);
  return {
    post: {
      summary,
      security: secured,
      "x-scope": scope,
      requestBody: { required: true, ...json(ref(request)) },
      responses: { "200": { description: "the answer", ...json(response) }, ...problems(...statuses) },
    },
  };
}

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
  };
  const anyObject = { type: "object" };
  return {
    openapi: "3.1.0",
    info: {
      title: "hexarch decision API",
      version: packageVersion(),
      description:
        "Decisions from hexarch.yaml policies over HTTP. A refusal is a 200 carrying its decision; 4xx are bad requests and auth.",
    },
    components: {
      schemas,
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "an hxk_ API key, or the dev token" } },
    },
    paths: {
      "/health": {
        get: {
          summary: "status, policy digest, store and log",
          security: [],
          responses: { "200": { description: "ok or degraded", ...json(ref("Health")) } },
        },
      },
      "/v1/decisions": {
        ...post("decide a call", "DecisionRequest", ref("Decision")),
        get: {
          summary: "decisions read back from the decision log",
          security: secured,
          "x-scope": "admin",
          parameters: ["policy", "outcome", "since", "until", "limit"].map((name) => ({
            name,
            in: "query",
            required: false,
            schema: { type: name === "limit" ? "integer" : "string" },
          })),
          responses: { "200": { description: "matching records, oldest first", ...json(anyObject) }, ...problems(400, 401, 403, 404) },
        },
      },
      "/v1/decisions/{id}/settle": {
        ...post(
          "settle a decision's reservation with the actual cost, once, with the key that made the decision or an admin key " +
            "(403 for another key, 404 for an id this server did not issue, 409 when settled already; after its " +
            "reservation_ttl the answer is 200 with result expired and nothing changes)",
          "SettleRequest",
          anyObject,
          "decide",
          404,
          409,
        ),
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
      },
      "/v1/explain": post("every rule, applied or not, and why (never counted)", "ExplainRequest", anyObject),
      "/v1/events/provider-calls": post(
        "record a provider call and charge its cost to the budgets; with decision_id, settle that decision as its settle " +
          "route does (403 for another key's decision, 404 for an id this server did not issue)",
        "ProviderCall",
        anyObject,
        "decide",
        404,
      ),
      "/authorize": post("the seed's authorize call", "AuthorizeRequest", ref("AuthorizeResponse")),
      "/v1/policies": {
        get: {
          summary: "the policies in use",
          security: secured,
          responses: { "200": { description: "policies", ...json(anyObject) }, ...problems(401, 403) },
        },
      },
      "/v1/policies/{id}": {
        get: {
          summary: "one policy",
          security: secured,
          responses: { "200": { description: "the policy", ...json(anyObject) }, ...problems(401, 403, 404) },
        },
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
      },
      "/v1/keys": {
        ...post("create an API key (only with --manage-keys; the key is shown once)", "KeyRequest", anyObject, "admin"),
        get: {
          summary: "list API keys, never their hashes (only with --manage-keys)",
          security: secured,
          "x-scope": "admin",
          responses: { "200": { description: "keys", ...json(anyObject) }, ...problems(401, 403, 404) },
        },
      },
      "/v1/keys/{id}": {
        delete: {
          summary: "revoke an API key (only with --manage-keys)",
          security: secured,
          "x-scope": "admin",
          responses: { "200": { description: "revoked", ...json(anyObject) }, ...problems(401, 403, 404) },
        },
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
      },
      "/budgets/data": {
        get: {
          summary:
            "each budget and key this period (spent, reserved, limit, warning threshold, burn rate, projection, reset time) and the budget refusals of the last day; the budgets page polls it",
          security: secured,
          "x-scope": "view",
          responses: { "200": { description: "budgets", ...json(anyObject) }, ...problems(401, 403, 503) },
        },
      },
      "/metrics": {
        get: {
          summary: "Prometheus metrics",
          security: secured,
          "x-scope": "admin",
          responses: { "200": { description: "text exposition format", content: { "text/plain": { schema: { type: "string" } } } } },
        },
      },
    },
  };
}
