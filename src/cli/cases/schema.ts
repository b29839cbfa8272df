// The shape of a `hexarch test` case file, as zod schemas: validation, types and key suggestions in one place.
import { z } from "zod";
import { MAX_AMOUNT } from "../../engine/amount.js";
import { MAX_TOKENS } from "../../engine/pricing/token-cost.js";
import { INSTANT_PATTERN } from "../request.js";
import { OFFSET_PATTERN } from "./offset.js";

const text = z.string().min(1);
const textOrList = z.union([text, z.array(text).min(1)]);
const tokenCount = z.number().int().nonnegative().max(MAX_TOKENS);
const instant = z.string().regex(INSTANT_PATTERN, "write a date and time with an offset, e.g. 2026-11-27T16:30:00-05:00");

/** Every outcome a decision can have; `expect: confirm` is shorthand for `expect: { outcome: confirm }`. */
export const OUTCOMES = ["allow", "warn", "confirm", "limit", "deny", "error"] as const;
const outcome = z.enum(OUTCOMES);

/** What a request states, shared by requests and starting-state entries. */
const requestFields = {
  method: text.optional(),
  path: text.optional(),
  operation: textOrList.optional(),
  resource: text.optional(),
  resource_type: text.optional(),
  user: text.optional(),
  api_key: text.optional(),
  roles: z.array(text).min(1).optional(),
  client: text.optional(),
  env: text.optional(),
  feature: text.optional(),
  facts: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  keys: z.record(z.string(), text).optional(),
};

/** What a request must get: any of outcome, status, reason (a substring), would_be. */
export const ExpectationSchema = z
  .strictObject({
    outcome: outcome.optional(),
    status: z.number().int().min(100).max(599).optional().describe("200 stands for: the request reaches the route handler"),
    reason: text.optional().describe("text the decision's reason must contain"),
    would_be: outcome.optional().describe("in warn (shadow) mode: what strict enforcement would answer"),
  })
  .refine((e) => Object.keys(e).length > 0, "an expectation needs at least one of outcome, status, reason, would_be");

/** One request of a case; `repeat: N` sends it N times, each held to `expect`. */
export const StepSchema = z.strictObject({
  name: text.optional(),
  ...requestFields,
  confirm: z.union([z.boolean(), z.array(text).min(1)]).optional(),
  cost: z.number().nonnegative().max(MAX_AMOUNT).optional(),
  model: text.optional().describe("the AI model the call uses, priced by the policy file's prices:"),
  input_tokens: tokenCount.optional().describe("input tokens the call sends"),
  max_output_tokens: tokenCount.optional().describe("the most output tokens the call may produce"),
  usage: z
    .record(z.string(), z.union([tokenCount, z.record(z.string(), tokenCount)]))
    .optional()
    .describe("settle an admitted call with this usage, as the provider returns it: { prompt_tokens: 900, completion_tokens: 200 }"),
  policy: textOrList.optional().describe("apply only these policies, as guard(id) does; default: every policy, as hexarch() does"),
  at: instant.optional().describe("this request's instant; default: the case's at"),
  after: z
    .string()
    .regex(OFFSET_PATTERN, "write a duration such as 59.5s, 1500ms or 2m")
    .optional()
    .describe("this request's instant as a time after the case's at, e.g. 59.5s: rate windows follow it"),
  repeat: z.number().int().positive().max(100_000).optional(),
  expect: z.union([outcome, ExpectationSchema]),
});

/** A starting counter: `{ policy: api_budget, used: 9 }` presets what was already counted or spent. */
export const StateSchema = z.strictObject({
  policy: text,
  rule: z.number().int().nonnegative().optional().describe("the rule's position in the policy; default: every counting rule"),
  window: z.enum(["1s", "1m", "1h", "1d", "day", "month"]).optional(),
  used: z.number().nonnegative().max(MAX_AMOUNT).describe("requests already counted, or the amount of budget already spent"),
  ...requestFields,
});

/** One golden case: a frozen instant, optional starting state, requests in order. */
export const CaseSchema = z.strictObject({
  name: text,
  at: instant,
  env: text.optional().describe("the deployment environment of every request; default: development"),
  state: z.array(StateSchema).min(1).optional(),
  requests: z.array(StepSchema).min(1),
});

/**
 * A case file: which policy file it tests, and its cases.
 * @example CaseFileSchema.parse({ cases: [{ name: "n", at: "2026-11-27T16:30:00Z", requests: [{ expect: "allow" }] }] })
 */
export const CaseFileSchema = z.strictObject({
  policy: text.optional().describe("policy file, relative to this file; default: hexarch.yaml found from this folder upwards"),
  cases: z.array(CaseSchema).min(1),
});

export type Expectation = z.infer<typeof ExpectationSchema>;
export type Step = z.infer<typeof StepSchema>;
export type StateEntry = z.infer<typeof StateSchema>;
export type Case = z.infer<typeof CaseSchema>;
export type CaseFile = z.infer<typeof CaseFileSchema>;
