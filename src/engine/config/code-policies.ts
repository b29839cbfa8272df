// Policies written in code: the policy file's structure as typed objects, checked like the file, joined with it.
import type { z } from "zod";
import type { GuardContext } from "../context.js";
import { PolicyConfigError, type ConfigProblem } from "../../errors/config-error.js";
import type { LoadedPolicyFile } from "./load.js";
import { formatKeyPath } from "./locate.js";
import { RATE_LIMIT_FIELDS, type RateLimitField } from "./rate-windows.js";
import { ProblemReport } from "./problem-report.js";
import { PolicyFileSchema, type PolicyFileSpec, type PolicySchema, type RuleSchema, type RuleSpec } from "./schema.js";
import { reportSchemaIssues } from "./schema-issues.js";
import { checkSemantics } from "./semantics.js";

/**
 * A rate limit computed from the call, e.g. per plan. Each distinct value it returns is checked once (a whole
 * number of at least 1); the counter is the same whatever the limit, so a client moving to another plan keeps its count.
 * @example (ctx) => (ctx.facts?.plan === "pro" ? 1000 : 100)
 */
export type LimitFunction = (ctx: GuardContext) => number;

/** A rule written in code: the keys of a policy-file rule, with rate limits as a number or a LimitFunction. */
export type CodeRule = Omit<z.input<typeof RuleSchema>, RateLimitField> & { readonly [F in RateLimitField]?: number | LimitFunction };

/**
 * A policy written in code: the same keys as a policy in hexarch.yaml, typed from the same schema.
 * @example
 * const perPlan = (ctx: GuardContext) => (ctx.facts?.plan === "pro" ? 1000 : 100);
 * const policies: CodePolicy[] = [{ id: "api", rules: [{ route: "/api/*", requests_per_minute: perPlan }] }];
 */
export type CodePolicy = Omit<z.input<typeof PolicySchema>, "rules"> & { readonly rules: readonly CodeRule[] };

/** The LimitFunctions of one rule, by field. */
export type RuleLimitFunctions = Partial<Record<RateLimitField, LimitFunction>>;

/** A policy file, code policies, or both, joined: what the policy set is compiled from. */
export interface PolicySources extends LoadedPolicyFile {
  /** Where policy `index` of `spec.policies` was written: the file's name (or CODE_SOURCE) and its position there. */
  readonly sourceOf: (index: number) => { readonly name: string; readonly index: number };
  /** The LimitFunctions of rule `rule` of policy `policy`, when it has any. */
  limitFunctionsOf(policy: number, rule: number): RuleLimitFunctions | undefined;
}

/** How code policies are named in problems, in place of a file name: the key path then says where. */
export const CODE_SOURCE = "<options>";

/** A stand-in for a LimitFunction while the structure is checked: any valid limit would do. */
const CHECKED_AS = 1;

/** One code policy, with its LimitFunctions replaced for checking, and kept aside. */
interface Unwrapped {
  readonly data: unknown;
  readonly functions: Map<number, RuleLimitFunctions>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function unwrapFunctions(policy: unknown): Unwrapped {
  const functions = new Map<number, RuleLimitFunctions>();
  if (!isRecord(policy) || !Array.isArray(policy["rules"])) return { data: policy, functions };
  const rules = (policy["rules"] as readonly unknown[]).map((rule, r) => {
    if (!isRecord(rule)) return rule;
    const copy: Record<string, unknown> = { ...rule };
    for (const field of RATE_LIMIT_FIELDS) {
      const value = copy[field];
      if (typeof value !== "function") continue;
      functions.set(r, { ...functions.get(r), [field]: value as LimitFunction });
      copy[field] = CHECKED_AS;
    }
    return copy;
  });
  return { data: { ...policy, rules }, functions };
}

/** The checked spec without the stand-ins: a field given as a function is left out of the rule's spec. */
function withoutStandIns(rule: RuleSpec, functions: RuleLimitFunctions | undefined): RuleSpec {
  if (functions === undefined) return rule;
  const copy: Record<string, unknown> = { ...rule };
  for (const field of Object.keys(functions)) delete copy[field];
  return copy;
}

/**
 * Checks code policies with the policy file's schema and semantic checks; every problem is named by its key path
 * (`policies[0].rules[1].requests_per_minite`) under CODE_SOURCE.
 * @throws PolicyConfigError listing every problem found.
 */
export function checkCodePolicies(policies: unknown): {
  readonly spec: PolicyFileSpec["policies"];
  readonly functions: readonly Map<number, RuleLimitFunctions>[];
} {
  const report = new ProblemReport(CODE_SOURCE);
  if (!Array.isArray(policies)) {
    report.add(["policies"], {
      message: "policies must be a list of policies",
      fix: 'pass policies: [{ id: "api", rules: [{ requests_per_minute: 100 }] }]',
    });
    throw new PolicyConfigError(report.problems, "invalid code policies");
  }
  const unwrapped = (policies as readonly unknown[]).map(unwrapFunctions);
  const data = { policies: unwrapped.map((u) => u.data) };
  const parsed = PolicyFileSchema.safeParse(data);
  const located = new ProblemReport(CODE_SOURCE, undefined, data);
  if (!parsed.success) reportSchemaIssues(parsed.error.issues, data, located);
  checkSemantics(data, located);
  if (located.problems.length > 0 || !parsed.success) throw new PolicyConfigError(located.problems, "invalid code policies");
  const functions = unwrapped.map((u) => u.functions);
  const spec = parsed.data.policies.map((policy, p) => ({
    ...policy,
    rules: policy.rules.map((rule, r) => withoutStandIns(rule, functions[p]?.get(r))),
  }));
  return { spec, functions };
}

/** Reports every code policy whose id a file policy (or an earlier code policy) already uses, naming both places. */
function duplicateIds(file: LoadedPolicyFile | undefined, code: PolicyFileSpec["policies"]): ConfigProblem[] {
  const places = new Map<string, string>();
  file?.spec.policies.forEach((policy, p) => {
    const at = file.locate(["policies", p, "id"]);
    places.set(policy.id, at === undefined ? file.file : `${file.file}:${at.line}:${at.column}`);
  });
  const problems: ConfigProblem[] = [];
  code.forEach((policy, p) => {
    const path = formatKeyPath(["policies", p, "id"]);
    const first = places.get(policy.id);
    if (first === undefined) places.set(policy.id, `${CODE_SOURCE} ${path}`);
    else {
      problems.push({
        file: CODE_SOURCE,
        policyId: policy.id,
        path,
        message: `policy id "${policy.id}" is also defined at ${first}`,
        fix: "give each policy its own id across the file and the code",
      });
    }
  });
  return problems;
}

/**
 * Joins a loaded policy file and code policies into one source: the file's policies first, then the code's, in
 * order. Ids must be unique across both. Without a file, the code policies are the whole configuration.
 * @throws PolicyConfigError for code policies that fail the file's checks, or ids defined twice.
 * @example joinPolicySources(loadPolicyFile("hexarch.yaml"), [{ id: "api", rules: [{ requests_per_minute: 100 }] }])
 */
export function joinPolicySources(file: LoadedPolicyFile | undefined, policies: readonly CodePolicy[] | undefined): PolicySources {
  const code = policies === undefined ? { spec: [], functions: [] } : checkCodePolicies(policies);
  const duplicates = duplicateIds(file, code.spec);
  if (duplicates.length > 0) throw new PolicyConfigError(duplicates, "a policy id is defined twice");
  const fileCount = file?.spec.policies.length ?? 0;
  const spec: PolicyFileSpec = { ...(file?.spec ?? {}), policies: [...(file?.spec.policies ?? []), ...code.spec] };
  return {
    file: file?.file ?? CODE_SOURCE,
    spec,
    notices: file?.notices ?? [],
    locate: (path) => (file !== undefined && (typeof path[1] !== "number" || path[1] < fileCount) ? file.locate(path) : undefined),
    sourceOf: (index) =>
      index < fileCount && file !== undefined ? { name: file.file, index } : { name: CODE_SOURCE, index: index - fileCount },
    limitFunctionsOf: (policy, rule) => (policy < fileCount ? undefined : code.functions[policy - fileCount]?.get(rule)),
  };
}
