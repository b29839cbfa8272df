// What one log line says: the chain header, a decision, a settlement, a gap, a file continuation, a checkpoint.
import type { GuardContext } from "../engine/context.js";
import type { Decision } from "../engine/decision.js";
import { sortedKeys, type JsonValue } from "./canonical.js";

/** Version of the record format, written in every header. */
export const LOG_FORMAT_VERSION = 1;

/** The fields every chained record carries. */
export interface ChainFields {
  /** The writing process's chain id. */
  readonly chain: string;
  /** 0 for the header, then one more per record. */
  readonly seq: number;
  /** MAC over the previous record's MAC and this record's canonical form without `mac`. */
  readonly mac: string;
}

/** A record before it is chained: its type and its own fields (the chain adds `chain`, `seq` and `mac`). */
export type RecordBody = {
  readonly type: "header" | "decision" | "settle" | "approval" | "gap" | "continue";
  readonly chain?: never;
  readonly seq?: never;
  readonly mac?: never;
  readonly [key: string]: JsonValue | undefined;
};

/**
 * How a decision was asked for: the policy ids named (`check(id)`, `guard(id)`, the server's `policy`), or `*` for every
 * policy (the middleware, `evaluate`). Scopes a call does not state match only when policies are named, so replay asks the same way.
 */
export type AskedPolicies = readonly string[] | "*";

/** Fields of the personal context that `logging.redact` may hash. */
export type RedactableField = "client" | "user" | "route";

/** How records are built: which fields to hash, and whether to add each decision's explanation. */
export interface RecordShape {
  readonly redact: ReadonlySet<RedactableField>;
  readonly hide: ((value: string) => string) | undefined;
  readonly explain: boolean;
  /** The policy file, prefixed to rule line numbers. */
  readonly policyFile: string;
}

function personal(shape: RecordShape, field: RedactableField, value: string | undefined): string | undefined {
  if (value === undefined || shape.hide === undefined || !shape.redact.has(field)) return value;
  return shape.hide(value);
}

/** A fact JSON cannot hold as it is: an object or array as its JSON text, anything else in its string form. */
function factText(value: unknown): string {
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "symbol") return value.toString();
  if (typeof value !== "object" || value === null) return typeof value;
  try {
    return JSON.stringify(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** An object with `source`'s entries in sorted key order, each value as `write` makes it. */
function sortedCopy<V>(source: Readonly<Record<string, V>>, write: (value: V) => JsonValue): JsonValue {
  const out: Record<string, JsonValue> = {};
  for (const name of sortedKeys(source)) out[name] = write(source[name] as V);
  return out;
}

/** Facts as JSON: values that JSON cannot hold are written as their string form. */
function plainFact(value: unknown): JsonValue {
  return value === null || typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value))
    ? value
    : factText(value);
}

/**
 * What stands for the API key in a record, never the key itself: its keyed hash (`h:…`) when HEXARCH_LOG_KEY is set, else
 * nothing (an unkeyed digest of a weak key could be guessed back). Equal keys give equal ids, so a replay counts them as one caller.
 */
function apiKeyId(shape: RecordShape, apiKey: string | undefined): string | undefined {
  return apiKey === undefined || shape.hide === undefined ? undefined : shape.hide(apiKey);
}

/**
 * The call's context as written: never the API key; personal fields hashed when asked.
 * Keys are listed in sorted order at every level, so sealing writes the record with JSON.stringify (canonical.ts).
 */
function contextFields(context: GuardContext, shape: RecordShape, environment: string): JsonValue {
  const operation = context.operation;
  return {
    api_key: apiKeyId(shape, context.apiKey),
    client: personal(shape, "client", context.client),
    confirm: context.confirm === undefined ? undefined : typeof context.confirm === "boolean" ? context.confirm : [...context.confirm],
    cost: context.cost,
    environment: context.environment ?? environment,
    facts: context.facts === undefined ? undefined : sortedCopy(context.facts, plainFact),
    feature: context.feature,
    input_tokens: context.inputTokens,
    keys: context.keys === undefined ? undefined : sortedCopy(context.keys, (key) => key),
    max_output_tokens: context.maxOutputTokens,
    method: context.method,
    model: context.model,
    operation: operation === undefined ? undefined : typeof operation === "string" ? operation : [...operation],
    resource: context.resource,
    resource_type: context.resourceType,
    roles: context.roles === undefined ? undefined : [...context.roles],
    route: personal(shape, "route", context.route),
    route_folded: context.caseInsensitiveRoute === true ? true : undefined,
    user: personal(shape, "user", context.user),
  };
}

/**
 * The record of one decision: outcome, deciding rule (with file:line), counters, warnings, the context and how it was asked
 * (`policy_ids`, left out when the caller does not say), enough to re-run it. Its time is the instant the engine decided at.
 * @example decisionRecord("c1-7", Date.now(), decision, { route: "/users" }, "production", shape, "*")
 */
export function decisionRecord(
  id: string,
  at: number,
  decision: Decision,
  context: GuardContext,
  environment: string,
  shape: RecordShape,
  asked?: AskedPolicies,
): RecordBody {
  const rule = decision.rule;
  const hidePartition = shape.hide !== undefined && shape.redact.size > 0;
  // Keys in sorted order at every level (see contextFields).
  return {
    context: contextFields(context, shape, environment),
    counters: decision.counters.map((c) => ({
      kind: c.kind,
      limit: c.limit,
      partition: hidePartition && shape.hide !== undefined ? shape.hide(c.partition) : c.partition,
      policy: c.rule.policyId,
      remaining: c.remaining,
      rule: c.rule.index,
      used: c.used,
      window: c.window,
    })),
    explain: shape.explain
      ? decision.explain().map((e) => ({ applied: e.applied, policy: e.rule.policyId, rule: e.rule.index, why: e.why }))
      : undefined,
    id,
    kind: decision.kind,
    outcome: decision.outcome,
    policy: decision.policyId,
    // Named so that it sorts after "chain": every sealed line begins with {"chain": (verify finds torn writes by it).
    policy_ids: asked === undefined || asked === "*" ? asked : [...asked],
    reason: decision.reason,
    retry_after: decision.retryAfter,
    rule:
      rule === undefined
        ? undefined
        : {
            at: rule.line === undefined ? undefined : `${shape.policyFile}:${rule.line}:${rule.column ?? 1}`,
            index: rule.index,
            policy: rule.policyId,
            summary: rule.summary,
          },
    time: new Date(context.now ?? decision.countedAt ?? at).toISOString(),
    type: "decision",
    warnings: decision.warnings.map((w) => ({ kind: w.kind, message: w.message, policy: w.rule?.policyId, would_be: w.wouldBe })),
    would_be: decision.wouldBe,
  };
}

/** The record of a settlement: the real cost replacing the reservation of decision `id`. */
export function settleRecord(id: string, at: number, policy: string | undefined, cost: number): RecordBody {
  return { type: "settle", id, time: new Date(at).toISOString(), policy, cost };
}

/** One step of an approval request, as `approvalRecord` writes it. */
export interface ApprovalStepFields {
  readonly id: string;
  readonly step: "requested" | "approved" | "denied" | "used" | "expired";
  readonly policy: string;
  readonly by?: string | undefined;
  readonly reason?: string | undefined;
  /** Epoch milliseconds, written with `requested`. */
  readonly expiresAt?: number | undefined;
}

/** The record of one step of an approval request: requested, approved or denied (by whom, why), used, expired. */
export function approvalRecord(at: number, fields: ApprovalStepFields): RecordBody {
  return {
    by: fields.by,
    expires_at: fields.expiresAt === undefined ? undefined : new Date(fields.expiresAt).toISOString(),
    id: fields.id,
    policy: fields.policy,
    reason: fields.reason,
    step: fields.step,
    time: new Date(at).toISOString(),
    type: "approval",
  };
}

/** The record of records lost while the log could not be written. */
export function gapRecord(lost: number, from: number, to: number, cause: string): RecordBody {
  return { type: "gap", time: new Date(to).toISOString(), lost, from: new Date(from).toISOString(), to: new Date(to).toISOString(), cause };
}
