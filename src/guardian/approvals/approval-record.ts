// One approval request as the counter store keeps it: what is asked, the call it is bound to, and where it stands.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { GuardContext } from "../../engine/context.js";
import type { ApprovalStatus, DecisionApproval } from "../../engine/decision.js";
import { canonicalJson, type JsonValue } from "../../log/canonical.js";

/** An approval id: `ap_` and 22 base64url characters (128 random bits). */
export const APPROVAL_ID = /^ap_[A-Za-z0-9_-]{22}$/;

/** What a person is asked to approve: the call's facts, as the page, the CLI and notifications show them. */
export const ApprovalSubjectSchema = z.strictObject({
  reason: z.string(),
  method: z.string().optional(),
  path: z.string().optional(),
  operation: z.string().optional(),
  resource: z.string().optional(),
  client: z.string().optional(),
  user: z.string().optional(),
  environment: z.string().optional(),
  facts: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
});

export type ApprovalSubject = z.infer<typeof ApprovalSubjectSchema>;

const StoredSchema = z.strictObject({
  id: z.string().regex(APPROVAL_ID),
  status: z.enum(["pending", "approved", "denied", "used", "expired"]),
  policy: z.string(),
  /** SHA-256 (base64url) of the call the request is bound to. */
  binding: z.string(),
  /** SHA-256 (base64url) of the single-use link key in `approval.url`. */
  link: z.string(),
  subject: ApprovalSubjectSchema,
  created_at: z.number(),
  expires_at: z.number(),
  decided_by: z.string().optional(),
  decided_at: z.number().optional(),
  reason: z.string().optional(),
});

/** An approval request as stored (times in epoch milliseconds). */
export type ApprovalRecord = z.infer<typeof StoredSchema>;

/** The stored text of a record, or undefined when the text is not one (a key someone else wrote). */
export function parseApproval(text: string | undefined): ApprovalRecord | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = StoredSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** A fresh approval id. */
export function newApprovalId(): string {
  return `ap_${randomBytes(16).toString("base64url")}`;
}

/** A fresh link key (what `approval.url` carries) and the digest the record keeps of it. */
export function newLinkKey(): { key: string; digest: string } {
  const key = randomBytes(24).toString("base64url");
  return { key, digest: digestOf(key) };
}

/** True when `key` is the link key whose digest the record keeps; constant time. */
export function linkKeyMatches(record: ApprovalRecord, key: string): boolean {
  const presented = Buffer.from(digestOf(key));
  const kept = Buffer.from(record.link);
  return presented.length === kept.length && timingSafeEqual(presented, kept);
}

function digestOf(text: string): string {
  return createHash("sha256").update(text).digest("base64url");
}

/**
 * The digest an approval request is bound to: the fields that make a call this call (method, path, body digest,
 * client, policy for HTTP; the policies and the context for check/protect), in canonical JSON.
 * @example approvalBinding({ method: "DELETE", target: "/tables/users", body: "…", client: "203.0.113.9", policy: "prod_delete" })
 */
export function approvalBinding(fields: Readonly<Record<string, JsonValue | undefined>>): string {
  return digestOf(canonicalJson(fields));
}

/**
 * What a call made through check()/protect() is bound to: the policies asked and the context, less what a retry
 * changes (the approval id, a confirmation, the instant).
 */
export function contextCall(ctx: GuardContext, policyIds: readonly string[] | undefined): Record<string, JsonValue> {
  const { approval: _id, now: _now, confirm: _confirm, ...call } = ctx;
  return { via: "context", policies: policyIds === undefined ? "*" : [...policyIds], call: JSON.parse(JSON.stringify(call)) as JsonValue };
}

/** Scalar facts a person is shown about a call. */
export type ShownFacts = Readonly<Record<string, string | number | boolean | null>>;

/**
 * What a person is asked, from the call's context and the reason it was refused; `shown` adds facts the context does
 * not hold (an MCP call's arguments), after the context's own.
 */
export function subjectOf(ctx: GuardContext, reason: string, shown?: ShownFacts): ApprovalSubject {
  const operation = ctx.operation === undefined ? undefined : typeof ctx.operation === "string" ? ctx.operation : ctx.operation.join(", ");
  const facts: Record<string, string | number | boolean | null> = {};
  for (const [name, value] of Object.entries(ctx.facts ?? {}))
    facts[name] =
      value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean"
        ? value
        : JSON.stringify(value);
  const fields = {
    reason,
    method: ctx.method,
    path: ctx.route,
    operation,
    resource: ctx.resource,
    client: ctx.client,
    user: ctx.user,
    environment: ctx.environment,
    facts: ctx.facts === undefined && shown === undefined ? undefined : { ...facts, ...shown },
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as ApprovalSubject;
}

/** The status a record has at `now`: a pending or approved request past its time has expired. */
export function statusAt(record: ApprovalRecord, now: number): ApprovalStatus {
  return (record.status === "pending" || record.status === "approved") && now >= record.expires_at ? "expired" : record.status;
}

/**
 * A page of `hexarch serve` under the policy file's `approvals.base_url`, or undefined without one.
 * @example pageUnder("https://guard.example.com/", "budgets") // "https://guard.example.com/budgets"
 */
export function pageUnder(baseUrl: string | undefined, path: string): string | undefined {
  return baseUrl === undefined ? undefined : `${baseUrl.replace(/\/+$/, "")}/${path}`;
}

/** The page of a request, with the link key when there is one: `<base_url>/approvals/<id>?key=…`. */
export function approvalUrl(baseUrl: string | undefined, id: string, linkKey?: string): string | undefined {
  const page = pageUnder(baseUrl, `approvals/${id}`);
  return page === undefined || linkKey === undefined ? page : `${page}?key=${linkKey}`;
}

/** The record as a decision, a 428 body and the API carry it. */
export function approvalView(record: ApprovalRecord, now: number, url?: string): DecisionApproval {
  return {
    id: record.id,
    status: statusAt(record, now),
    ...(url === undefined ? {} : { url }),
    expires_at: new Date(record.expires_at).toISOString(),
    ...(record.decided_by === undefined ? {} : { decided_by: record.decided_by }),
    ...(record.reason === undefined ? {} : { reason: record.reason }),
  };
}
