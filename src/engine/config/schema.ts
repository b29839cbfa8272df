// The shape of hexarch.yaml, as zod schemas: the single source for validation, types and the JSON Schema export.
import { z } from "zod";
import { RATE_ALGORITHMS, type RateAlgorithm } from "../../stores/store.js";
import { MAX_AMOUNT, MIN_AMOUNT } from "../amount.js";
import { RATE_WINDOWS, type RateLimitField } from "./rate-windows.js";

/** The longest `reservation_ttl`: 31 days, a monthly budget's longest period. */
export const MAX_RESERVATION_TTL_SECONDS = 31 * 86_400;

/**
 * `block`, `warn`, `require_confirmation`, `require_approval` (a person must approve), or `warn_at_N%` (a budget/rate
 * warning threshold; blocks at 100%).
 */
export const ACTION_PATTERN = /^(block|warn|require_confirmation|require_approval|warn_at_(\d{1,3})%)$/;
/** The longest `approval_ttl`: one week. */
export const MAX_APPROVAL_TTL_SECONDS = 7 * 86_400;
/** `HH:MM-HH:MM`, 24-hour clock; the end may be `24:00`; a range whose end is before its start crosses midnight. */
export const HOUR_RANGE_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]|24):([0-5]\d)$/;

const stringOrList = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
const positiveInteger = z.number().int().positive();
/** `requests_per_second: 10` and the other rate fields: a whole number of at least 1 each, from RATE_WINDOWS. */
const rateLimitShape = Object.fromEntries(RATE_WINDOWS.map(({ field }) => [field, positiveInteger.optional()])) as {
  [F in RateLimitField]: z.ZodOptional<typeof positiveInteger>;
};
/** A budget: from one millionth (what a store counts) to MAX_AMOUNT (what it counts exactly). */
const budgetAmount = z.number().min(MIN_AMOUNT).max(MAX_AMOUNT);

/** How a rule's rate limits count; `fixed_window` when neither the rule nor the file says. */
const rateAlgorithm = z
  .enum(RATE_ALGORITHMS as [RateAlgorithm, ...RateAlgorithm[]])
  .describe(
    "fixed_window (default: a counter per window from the first call), sliding_window (exact: never more than the limit in any span of one window) or token_bucket (refills limit per window, holds burst)",
  );

/** Built-in counter keys; any other name refers to a custom key function given to createGuardian. */
export const BUILTIN_KEYS = ["client", "user", "api_key", "route", "global"] as const;

export const RuleSchema = z.strictObject({
  description: z.string().optional(),
  // Scope: which calls the rule applies to. Absent means "any".
  resource: z.string().min(1).optional().describe('Resource name, or "*" for every resource'),
  resource_types: z.array(z.string().min(1)).min(1).optional(),
  operation: stringOrList.optional().describe("Operation tag(s): read, create, update, delete, or your own"),
  route: stringOrList.optional().describe('Path pattern(s): "/users/:id", "/admin/*"'),
  methods: z.array(z.string().min(1)).min(1).optional(),
  environments: z.array(z.string().min(1)).min(1).optional().describe("Apply only in these environments"),
  feature: z.string().min(1).optional().describe("Feature flag this rule governs"),
  // Counters.
  ...rateLimitShape,
  daily_budget: budgetAmount.optional(),
  monthly_budget: budgetAmount.optional(),
  cost: z
    .number()
    .nonnegative()
    .max(MAX_AMOUNT)
    .optional()
    .describe("Fixed cost charged per call against the budget: 0, or 0.000001 to the budget"),
  key: z.string().min(1).optional().describe("Counter key: client, user, api_key, route, global, or a custom key name"),
  alert_at_percentage: z.number().gt(0).lte(100).optional(),
  algorithm: rateAlgorithm.optional(),
  burst: positiveInteger
    .optional()
    .describe("token_bucket: calls the bucket holds, so admitted at once after a quiet spell (default: the limit)"),
  // AI spend: which models a call may use, and the most one call may reserve.
  models: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe('Models a call may use (names or globs, "claude-3-5-haiku*"); a call naming another model, or none, is denied'),
  forbidden_models: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe('Models a call may not use (names or globs, "*opus*"): denied, naming the model'),
  max_cost_per_call: z
    .number()
    .min(MIN_AMOUNT)
    .max(MAX_AMOUNT)
    .optional()
    .describe("Refuse a call whose reserved cost (tokens × prices, or its stated cost) is more than this"),
  reservation_ttl: z
    .number()
    .positive()
    .max(MAX_RESERVATION_TTL_SECONDS)
    .optional()
    .describe("Seconds after which a reservation never settled counts as spent at its estimate (default: until the period ends)"),
  count: z
    .enum(["allowed", "all"])
    .optional()
    .describe("Which calls a rate limit counts: allowed (default: only calls that go ahead) or all (refused ones too)"),
  // Checks.
  allowed_users: z.array(z.string().min(1)).min(1).optional(),
  allowed_roles: z.array(z.string().min(1)).min(1).optional(),
  allowed_hours: z.array(z.string()).min(1).optional(),
  forbidden_hours: z.array(z.string()).min(1).optional(),
  allowed_days: z.array(z.string()).min(1).optional(),
  forbidden_days: z.array(z.string()).min(1).optional(),
  timezone: z.string().min(1).optional().describe("IANA time zone, e.g. America/New_York (default UTC)"),
  require_environment: stringOrList.optional(),
  require_facts: z
    .union([z.array(z.string().min(1)).min(1), z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))])
    .optional(),
  enabled: z.boolean().optional().describe("With feature: whether the feature is on"),
  requires_approval: z.boolean().optional().describe("With feature: calls need confirmation"),
  action: z.string().regex(ACTION_PATTERN).optional(),
  approval_ttl: z
    .number()
    .int()
    .positive()
    .max(MAX_APPROVAL_TTL_SECONDS)
    .optional()
    .describe("With action require_approval: seconds a request waits for a person (default 900)"),
});

export const PolicySchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_.-]+$/, "letters, digits, _ . - only"),
  description: z.string().optional(),
  enabled: z.boolean().optional(),
  enforcement: z.enum(["strict", "warn"]).optional(),
  fail: z.enum(["closed", "open"]).optional().describe("What a counter store outage means: closed (503) or open (allow + warn)"),
  rules: z.array(RuleSchema).min(1),
});

export const StoreSchema = z.strictObject({
  redis_url: z.string().min(1).optional(),
  prefix: z.string().min(1).optional(),
  timeout_ms: z.number().int().positive().optional(),
});

/** Log levels, quietest last: `debug` adds explanations, `info` every decision, `warn` refusals and warnings, `error` store failures. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
/** Context fields `logging.redact` may replace with keyed hashes. */
export const REDACTABLE_FIELDS = ["client", "user", "route"] as const;
/** A Postgres table name hexarch may create: lower-case letters, digits and underscores. */
export const LOG_TABLE_PATTERN = /^[a-z_][a-z0-9_]{0,50}$/;

export const LoggingSchema = z.strictObject({
  enabled: z.boolean().optional().describe("Write the decision log (default: true when the section is present)"),
  level: z
    .enum(LOG_LEVELS)
    .optional()
    .describe("debug, info (every decision, the default), warn (warnings and refusals) or error (store failures)"),
  file: z.string().min(1).optional().describe("Log file, relative to the policy file's folder (default .hexarch/guardrails.log)"),
  postgres_url: z.string().min(1).optional().describe("Write to PostgreSQL instead of a file (or HEXARCH_LOG_POSTGRES_URL)"),
  postgres_table: z
    .string()
    .regex(LOG_TABLE_PATTERN, "lower-case letters, digits and _ only")
    .optional()
    .describe("Table name (default hexarch_decision_log)"),
  max_bytes: z.number().int().positive().optional().describe("Rotate the file when it reaches this size"),
  keep: z.number().int().nonnegative().optional().describe("Rotated files to keep (default 5)"),
  redact: z.array(z.enum(REDACTABLE_FIELDS)).min(1).optional().describe("Context fields written as keyed hashes (needs HEXARCH_LOG_KEY)"),
  required: z
    .boolean()
    .optional()
    .describe("Refuse calls (503) while the log cannot be written (default false: keep deciding, count the loss)"),
  checkpoint_every: z.number().int().positive().optional().describe("Records between signed checkpoints (default 1000)"),
  checkpoint_seconds: z.number().positive().optional().describe("Seconds between signed checkpoints (default 60)"),
  buffer: z.number().int().positive().optional().describe("Most records waiting to be written (default 10000)"),
  witness: z
    .string()
    .min(1)
    .optional()
    .describe("Also send every signed chain head to postgres://…, redis://… or http(s)://… (a POST per head), out of the writer's reach"),
  name: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe("The log's name at the witness (default: file:<absolute path> or table:<postgres_table>)"),
});

/** One `notify:` target: a URL that receives signed JSON (a Slack incoming-webhook URL gets a Slack message). */
export const NotifyTargetSchema = z.strictObject({
  webhook: z
    .string()
    .url()
    .regex(/^https?:\/\//i, "an http:// or https:// URL")
    .describe("URL each event is POSTed to; hooks.slack.com URLs get a Slack-renderable message"),
  secret: z.string().min(16).optional().describe("Key of this target's Hexarch-Signature (default: HEXARCH_SECRET)"),
});

export const ApprovalsSchema = z.strictObject({
  base_url: z
    .string()
    .url()
    .regex(/^https?:\/\//i, "an http:// or https:// URL")
    .optional()
    .describe("Where approvers open approval pages (hexarch serve), e.g. https://guard.example.com"),
});

/** A price per million tokens: 0 to MAX_AMOUNT, in whole millionths of the budget's unit. */
const pricePerMtok = z
  .number()
  .min(0)
  .max(MAX_AMOUNT)
  .refine((value) => Math.abs(value * 1e6 - Math.round(value * 1e6)) < 1e-6, "a price is counted in millionths: use at most 6 decimals");

/** What one model costs, per million tokens, in the budgets' unit (any currency, stated once for the file). */
export const PriceSchema = z.strictObject({
  input_per_mtok: pricePerMtok.describe("Price of one million input (prompt) tokens"),
  output_per_mtok: pricePerMtok.describe("Price of one million output (completion) tokens"),
  cached_input_per_mtok: pricePerMtok.optional().describe("Price of one million cached input tokens (default: input_per_mtok)"),
});

export const PolicyFileSchema = z.strictObject({
  version: z.union([z.string(), z.number()]).optional(),
  enforcement: z.enum(["strict", "warn"]).optional(),
  algorithm: rateAlgorithm.optional().describe("The rate algorithm of every rule that names none (default fixed_window)"),
  opa: z.unknown().optional(),
  store: StoreSchema.optional(),
  logging: LoggingSchema.optional(),
  prices: z
    .record(z.string().min(1), PriceSchema)
    .optional()
    .describe('Model prices per million tokens, by exact name or glob ("claude-3-5-haiku*"); the most specific entry prices a call'),
  notify: z
    .array(NotifyTargetSchema)
    .max(20)
    .optional()
    .describe("Where approval requests (and alerts) are sent: signed JSON POSTs, or Slack messages"),
  approvals: ApprovalsSchema.optional(),
  policies: z.array(PolicySchema),
});

export type RuleSpec = z.infer<typeof RuleSchema>;
export type PolicySpec = z.infer<typeof PolicySchema>;
export type PriceSpec = z.infer<typeof PriceSchema>;
export type LoggingSpec = z.infer<typeof LoggingSchema>;
export type PolicyFileSpec = z.infer<typeof PolicyFileSchema>;
export type NotifyTargetSpec = z.infer<typeof NotifyTargetSchema>;
