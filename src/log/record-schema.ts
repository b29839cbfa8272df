// The shape of a decision-log line, as zod schemas: checked by the tests and exported as hexarch.log.schema.json.
import { z } from "zod";

const chained = {
  chain: z.string().describe("The writing process's chain id (a UUID)"),
  seq: z.number().int().nonnegative().describe("0 for the header, then one more per record of the chain"),
  mac: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .describe("HMAC-SHA256 (or SHA-256) over the previous record's mac and this record's canonical JSON without mac"),
};
const instant = z.string().describe("ISO 8601 instant");
const outcome = z.enum(["allow", "warn", "confirm", "limit", "deny", "error"]);

export const HeaderRecordSchema = z.strictObject({
  ...chained,
  type: z.literal("header"),
  version: z.literal(1),
  instance: z.string().describe("HEXARCH_INSTANCE, else host:pid"),
  host: z.string(),
  pid: z.number().int(),
  started: instant,
  policy_file: z.string(),
  policy_digest: z.string().describe("SHA-256 of the policy file's validated content"),
  mac_alg: z.enum(["hmac-sha256", "sha256"]),
  key_id: z.string().optional().describe("Fingerprint of HEXARCH_LOG_KEY, so verify can tell a wrong key"),
  level: z
    .enum(["debug", "info", "warn", "error"])
    .optional()
    .describe("logging.level: at warn and error, allowed calls are not written (absent in logs written before it was added)"),
});

export const DecisionRecordSchema = z.strictObject({
  ...chained,
  type: z.literal("decision"),
  id: z.string().describe("Decision id, referenced by its settlement"),
  time: instant,
  outcome,
  policy: z.string().optional().describe("The deciding policy (absent when everything allowed the call)"),
  policy_ids: z
    .union([z.literal("*"), z.array(z.string())])
    .optional()
    .describe("How the decision was asked for: the policy ids named (check(id), guard(id)), or * for every policy (the middleware)"),
  kind: z.string().optional(),
  reason: z.string(),
  rule: z
    .strictObject({
      policy: z.string(),
      index: z.number().int(),
      summary: z.string(),
      at: z.string().optional().describe("file:line:column"),
    })
    .optional(),
  would_be: outcome.optional().describe("In warn (shadow) mode: what strict enforcement would have answered"),
  retry_after: z.number().optional(),
  counters: z.array(
    z.strictObject({
      policy: z.string(),
      rule: z.number().int(),
      kind: z.enum(["rate", "budget"]),
      window: z.string(),
      used: z.number(),
      limit: z.number(),
      remaining: z.number(),
      partition: z.string(),
    }),
  ),
  warnings: z.array(z.strictObject({ kind: z.string(), policy: z.string().optional(), message: z.string(), would_be: outcome.optional() })),
  context: z.strictObject({
    api_key: z.string().optional().describe("Never the key: its keyed hash h:…, written only when HEXARCH_LOG_KEY is set"),
    operation: z.union([z.string(), z.array(z.string())]).optional(),
    resource: z.string().optional(),
    resource_type: z.string().optional(),
    route: z.string().optional(),
    route_folded: z.literal(true).optional().describe("The app routes paths case-insensitively: route is in lower case"),
    method: z.string().optional(),
    client: z.string().optional().describe("h:… when redacted"),
    user: z.string().optional().describe("h:… when redacted"),
    roles: z.array(z.string()).optional(),
    environment: z.string(),
    feature: z.string().optional(),
    facts: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
    confirm: z.union([z.boolean(), z.array(z.string())]).optional(),
    cost: z.number().optional(),
    model: z.string().optional(),
    input_tokens: z.number().optional(),
    max_output_tokens: z.number().optional(),
    keys: z.record(z.string(), z.string()).optional(),
  }),
  explain: z
    .array(z.strictObject({ policy: z.string(), rule: z.number().int(), applied: z.boolean(), why: z.string() }))
    .optional()
    .describe("At level debug"),
});

export const SettleRecordSchema = z.strictObject({
  ...chained,
  type: z.literal("settle"),
  id: z.string(),
  time: instant,
  policy: z.string().optional(),
  cost: z.number(),
});

export const ApprovalRecordSchema = z.strictObject({
  ...chained,
  type: z.literal("approval"),
  id: z.string().describe("The approval request's id (ap_…)"),
  step: z.enum(["requested", "approved", "denied", "used", "expired"]),
  time: instant,
  policy: z.string().describe("The policy whose require_approval rule asked"),
  by: z.string().optional().describe("Who approved or denied"),
  reason: z.string().optional().describe("Why it was denied"),
  expires_at: instant.optional().describe("With requested: when the request stops waiting"),
});

export const GapRecordSchema = z.strictObject({
  ...chained,
  type: z.literal("gap"),
  time: instant,
  lost: z.number().int().positive().describe("Records dropped while the log could not be written"),
  from: instant,
  to: instant,
  cause: z.string(),
});

export const ContinueRecordSchema = z.strictObject({
  ...chained,
  type: z.literal("continue"),
  prev: z.string().describe("mac of the record before, in the previous file"),
  time: instant,
});

export const LogRecordSchema = z.discriminatedUnion("type", [
  HeaderRecordSchema,
  DecisionRecordSchema,
  SettleRecordSchema,
  ApprovalRecordSchema,
  GapRecordSchema,
  ContinueRecordSchema,
]);

/**
 * JSON Schema (draft-07) of one decision-log line, shipped as `hexarch.log.schema.json`.
 * @example logRecordJsonSchema().title // "hexarch decision log record"
 */
export function logRecordJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(LogRecordSchema, { target: "draft-7" }) as Record<string, unknown>;
  return {
    $schema,
    title: "hexarch decision log record",
    description: "One line of the JSONL decision log written when hexarch.yaml has a logging: section.",
    ...rest,
  };
}
