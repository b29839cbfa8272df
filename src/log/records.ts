// What one log line says: the chain header, a decision, a settlement, a gap, a file continuation, a checkpoint.
import type { GuardContext } from "../engine/context.js";
import type { Decision } from "../engine/decision.js";
import type { JsonValue } from "./canonical.js";

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

/** A record before it is chained: its type and its own fields. */
export type RecordBody = {
  readonly type: "header" | "decision" | "settle" | "gap" | "continue";
  readonly [key: string]: JsonValue | undefined;
};

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

/** Facts as JSON: values that JSON cannot hold are written as their string form. */
function plainFacts(facts: Readonly<Record<string, unknown>> | undefined): JsonValue | undefined {
  if (facts === undefined) return undefined;
  const out: Record<string, JsonValue> = {};
  for (const [name, value] of Object.entries(facts)) {
    out[name] =
      value === null || typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value))
        ? value
        : factText(value);
  }
  return out;
}

/** The call's context as written: never the API key; personal fields hashed when asked. */
function contextFields(context: GuardContext, shape: RecordShape, environment: string): JsonValue {
  const operation = context.operation;
  return {
    operation: operation === undefined ? undefined : typeof operation === "string" ? operation : [...operation],
    resource: context.resource,
    resource_type: context.resourceType,
    route: personal(shape, "route", context.route),
    method: context.method,
    client: personal(shape, "client", context.client),
    user: personal(shape, "user", context.user),
    roles: context.roles === undefined ? undefined : [...context.roles],
    environment: context.environment ?? environment,
    feature: context.feature,
    facts: plainFacts(context.facts),
    confirm: context.confirm === undefined ? undefined : typeof context.confirm === "boolean" ? context.confirm : [...context.confirm],
    cost: context.cost,
    keys: context.keys === undefined ? undefined : { ...context.keys },
  };
}

/**
 * The record of one decision: outcome, deciding rule (with file:line), counters, warnings and the context, enough to re-run it.
 * @example decisionRecord("c1-7", Date.now(), decision, { route: "/users" }, "production", shape)
 */
export function decisionRecord(
  id: string,
  at: number,
  decision: Decision,
  context: GuardContext,
  environment: string,
  shape: RecordShape,
): RecordBody {
  const rule = decision.rule;
  const hidePartition = shape.hide !== undefined && shape.redact.size > 0;
  return {
    type: "decision",
    id,
    time: new Date(context.now ?? at).toISOString(),
    outcome: decision.outcome,
    policy: decision.policyId,
    kind: decision.kind,
    reason: decision.reason,
    rule:
      rule === undefined
        ? undefined
        : {
            policy: rule.policyId,
            index: rule.index,
            summary: rule.summary,
            at: rule.line === undefined ? undefined : `${shape.policyFile}:${rule.line}:${rule.column ?? 1}`,
          },
    would_be: decision.wouldBe,
    retry_after: decision.retryAfter,
    counters: decision.counters.map((c) => ({
      policy: c.rule.policyId,
      rule: c.rule.index,
      kind: c.kind,
      window: c.window,
      used: c.used,
      limit: c.limit,
      remaining: c.remaining,
      partition: hidePartition && shape.hide !== undefined ? shape.hide(c.partition) : c.partition,
    })),
    warnings: decision.warnings.map((w) => ({ kind: w.kind, policy: w.rule?.policyId, message: w.message, would_be: w.wouldBe })),
    context: contextFields(context, shape, environment),
    explain: shape.explain
      ? decision.explain().map((e) => ({ policy: e.rule.policyId, rule: e.rule.index, applied: e.applied, why: e.why }))
      : undefined,
  };
}

/** The record of a settlement: the real cost replacing the reservation of decision `id`. */
export function settleRecord(id: string, at: number, policy: string | undefined, cost: number): RecordBody {
  return { type: "settle", id, time: new Date(at).toISOString(), policy, cost };
}

/** The record of records lost while the log could not be written. */
export function gapRecord(lost: number, from: number, to: number, cause: string): RecordBody {
  return { type: "gap", time: new Date(to).toISOString(), lost, from: new Date(from).toISOString(), to: new Date(to).toISOString(), cause };
}
