// The decision API's request and response shapes as zod schemas: they validate requests and generate /openapi.json.
import { z } from "zod";

/** Longest string accepted in a context field. */
const TEXT = 1024;
const text = z.string().max(TEXT);
/** What a policy id may hold, and its most characters. */
export const POLICY_ID = { pattern: /^[A-Za-z0-9_.-]+$/, most: 128 } as const;
const id = z.string().min(1).max(POLICY_ID.most).regex(POLICY_ID.pattern, "letters, digits, _ . - only");

/**
 * The context fields that are one string of at most so many characters. ContextSchema builds them from this table, and
 * so does the quick check of plain decision requests (`plain-request.ts`).
 */
export const TEXT_FIELD_LIMITS = {
  resource: TEXT,
  resource_type: TEXT,
  route: TEXT,
  method: 16,
  client: TEXT,
  user: TEXT,
  api_key: TEXT,
  environment: 128,
  feature: TEXT,
} as const;
const textField = (name: keyof typeof TEXT_FIELD_LIMITS) => z.string().max(TEXT_FIELD_LIMITS[name]).optional();

/** A fact's value: what `require_facts` compares. */
const factValue = z.union([z.string().max(TEXT), z.number(), z.boolean(), z.null()]);

/** The facts about one call, in the wire's snake_case; each maps to a GuardContext field. */
export const ContextSchema = z
  .strictObject({
    operation: z
      .union([text, z.array(text).max(16)])
      .optional()
      .describe("read, create, update, delete, or the app's own tag(s)"),
    resource: textField("resource").describe("the resource used, e.g. openai"),
    resource_type: textField("resource_type"),
    route: textField("route").describe("request path, e.g. /users/7"),
    method: textField("method").describe("HTTP method, upper case"),
    client: textField("client").describe("client identity: an address or another stable id"),
    user: textField("user").describe("authenticated user id"),
    roles: z.array(text).max(64).optional(),
    api_key: textField("api_key").describe("the end user's API key (or a digest of it), for key: api_key counters"),
    environment: textField("environment"),
    facts: z.record(z.string().max(128), factValue).optional().describe("facts checked by require_facts"),
    feature: textField("feature"),
    cost: z.number().min(0).max(1e9).optional().describe("estimated cost, reserved against budgets until settled"),
    model: z.string().min(1).max(256).optional().describe("the AI model the call uses, priced by the file's prices:"),
    input_tokens: z.number().int().min(0).max(1e9).optional().describe("input tokens the call sends"),
    max_output_tokens: z.number().int().min(0).max(1e9).optional().describe("most output tokens the call may produce"),
    keys: z.record(z.string().max(128), text).optional().describe("values of custom counter keys (key: tenant)"),
  })
  .describe("The call being decided.");

/** POST /v1/decisions. */
export const DecisionRequestSchema = z.strictObject({
  policy: z
    .union([id, z.array(id).min(1).max(32)])
    .optional()
    .describe("policy id(s) to check; default: every policy whose rules match"),
  context: ContextSchema.default({}),
  dry_run: z.boolean().optional().describe("decide without counting, recording or issuing tokens"),
  confirm_token: z.string().min(1).max(1024).optional().describe("token from a confirm answer: admits this same call once"),
  approval: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe("id of an approval request (approval.id of a confirm answer): admits this same call once, after a person approved it"),
});

/** POST /v1/approvals/{id}/approve. */
export const ApproveRequestSchema = z.strictObject({
  by: z.string().min(1).max(200).optional().describe("who approves (default: the API key's name)"),
});

/** POST /v1/approvals/{id}/deny. */
export const DenyRequestSchema = z.strictObject({
  by: z.string().min(1).max(200).optional().describe("who denies (default: the API key's name)"),
  reason: z.string().min(1).max(500).describe("why: the refused caller reads it"),
});

/** An approval request as the API shows it. */
export const ApprovalSchema = z.object({
  id: z.string(),
  status: z.enum(["pending", "approved", "denied", "used", "expired"]),
  url: z.string().optional().describe("the approval page (approvals.base_url), without any sign-in"),
  expires_at: z.string(),
  rejected: z.enum(["another-call", "used", "expired"]).optional().describe("why the approval id sent admitted nothing"),
  decided_by: z.string().optional(),
  reason: z.string().optional(),
});

/** POST /v1/explain: the same call, answered rule by rule and never counted. */
export const ExplainRequestSchema = z.strictObject({ policy: DecisionRequestSchema.shape.policy, context: ContextSchema.default({}) });

/** A provider's usage object (OpenAI Chat, OpenAI Responses or Anthropic), priced by the decided call's model. */
const usage = z.record(z.string().max(64), z.unknown()).describe("the provider's response.usage, priced by the call's model");

/** POST /v1/decisions/{id}/settle: the actual cost, or the usage to price. */
export const SettleRequestSchema = z
  .strictObject({
    cost: z.number().min(0).max(1e9).optional().describe("the call's actual cost, replacing its estimate"),
    usage: usage.optional(),
  })
  .refine((body) => (body.cost === undefined) !== (body.usage === undefined), { message: "give cost or usage, exactly one" });

/** POST /v1/events/provider-calls (the seed's event). */
export const ProviderCallSchema = z.strictObject({
  provider: z.string().min(1).max(128),
  model: z.string().max(256).optional(),
  input_tokens: z.number().int().min(0).max(1e12).optional(),
  output_tokens: z.number().int().min(0).max(1e12).optional(),
  cost: z.number().min(0).max(1e9).describe("what the call cost, in the budgets' units"),
  latency_ms: z.number().min(0).max(86_400_000).optional(),
  ok: z.boolean().optional(),
  status: z.number().int().min(100).max(599).optional(),
  decision_id: z.string().min(1).max(128).optional().describe("the decision that admitted the call: settled with this cost"),
  policy: id.optional().describe("without decision_id: the policy whose budgets are charged (default: every matching policy)"),
  context: ContextSchema.optional(),
});

/** POST /authorize, in the seed's own shape. */
export const AuthorizeRequestSchema = z.strictObject({
  action: z.string().min(1).max(TEXT).describe("the operation, e.g. delete; becomes context.operation"),
  resource: z
    .union([text, z.record(z.string().max(128), factValue)])
    .optional()
    .describe("a name, or an object whose `type`/`id`/`name` fields are read"),
  context: z.record(z.string().max(128), z.unknown()).optional().describe("user, roles, environment, client, cost and other facts"),
});

const ruleOut = z.object({ policy: z.string(), index: z.number().int(), summary: z.string() });
const outcome = z.enum(["allow", "warn", "confirm", "limit", "deny", "error"]);

/** One counter after the call. */
const CounterSchema = z.object({
  policy: z.string(),
  rule: z.number().int(),
  kind: z.enum(["rate", "budget"]),
  window: z.string(),
  limit: z.number(),
  used: z.number(),
  remaining: z.number(),
  reset_at: z.string(),
});

/** The answer to POST /v1/decisions: a refusal is a 200 carrying its decision. */
export const DecisionResponseSchema = z.object({
  id: z.string().describe("settle with POST /v1/decisions/{id}/settle"),
  outcome,
  allowed: z.boolean(),
  reason: z.string(),
  kind: z.string().nullable(),
  policy: z.string().nullable(),
  rule: ruleOut.nullable(),
  retry_after: z.number().nullable(),
  counters: z.array(CounterSchema),
  warnings: z.array(z.object({ kind: z.string(), policy: z.string().nullable(), message: z.string(), would_be: outcome.nullable() })),
  would_be: outcome.nullable(),
  dry_run: z.boolean(),
  confirm: z
    .object({ token: z.string().optional(), expires_at: z.string().optional(), rejected: z.string().optional(), how: z.string() })
    .optional()
    .describe("with outcome confirm: repeat the same request with confirm_token"),
  approval: ApprovalSchema.optional().describe(
    "with outcome confirm (kind approval): a person must approve; then repeat the same request with approval: id. With deny: who denied and why",
  ),
});

/** RFC 9457 problem details. */
export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string().optional(),
  request_id: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

/** GET /health. */
export const HealthSchema = z.object({
  status: z.enum(["ok", "degraded"]),
  policy_file: z.string(),
  policy_digest: z.string(),
  loaded_at: z.string(),
  store: z.object({ name: z.string(), ok: z.boolean() }),
  log: z.object({ enabled: z.boolean(), ok: z.boolean() }),
  problems: z.array(z.string()),
});

/** What the seed's callers read from POST /authorize. */
export const AuthorizeResponseSchema = z.object({
  allowed: z.boolean(),
  decision: z.enum(["ALLOW", "DENY"]),
  reason: z.string(),
  policies: z.array(z.string()),
  id: z.string(),
  outcome,
  confirm: z
    .object({ how: z.string() })
    .optional()
    .describe("with outcome confirm (answered DENY): how to confirm, which this seed call cannot do itself"),
});

export type DecisionRequest = z.infer<typeof DecisionRequestSchema>;
export type WireContext = z.infer<typeof ContextSchema>;
export type DecisionResponse = z.infer<typeof DecisionResponseSchema>;
export type ProviderCall = z.infer<typeof ProviderCallSchema>;
export type AuthorizeRequest = z.infer<typeof AuthorizeRequestSchema>;
