// Compiles a validated policy file into policies with their rules, and indexes the rules by resource and operation.
import type { PolicySources } from "../config/code-policies.js";
import type { LoadedPolicyFile } from "../config/load.js";
import { literalHead } from "../route.js";
import type { ScopedCall } from "../scope.js";
import { compileRule, type CompiledRule } from "./rule.js";
import { PriceTable } from "../pricing/price-table.js";

export type Mode = "strict" | "warn";
export type FailMode = "closed" | "open";

export interface CompiledPolicy {
  readonly id: string;
  readonly description: string | undefined;
  readonly enabled: boolean;
  /** The policy's own enforcement mode; undefined follows the file's `enforcement`. */
  readonly mode: Mode | undefined;
  readonly fail: FailMode;
  readonly rules: readonly IndexedRule[];
  /** Where the policy was written: the policy file's name, or `<options>` for a code policy. */
  readonly source: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
}

/** A compiled rule with the policy it belongs to and its position in the whole file. */
export interface IndexedRule {
  readonly rule: CompiledRule;
  readonly policy: CompiledPolicy;
  /** Order in the file; rules are always evaluated in this order. */
  readonly seq: number;
}

export interface PolicySet {
  readonly file: string;
  readonly policies: ReadonlyMap<string, CompiledPolicy>;
  /** The file's top-level `enforcement` (default strict). */
  readonly mode: Mode;
  readonly notices: readonly string[];
  readonly index: RuleIndex;
  /** Custom counter key names used by rules, with the rule that uses each first. */
  readonly customKeys: ReadonlyMap<string, IndexedRule>;
  /** Every rule in file order. */
  readonly rules: readonly IndexedRule[];
  /** The file's `prices:`, compiled for lookups by model name. */
  readonly prices: PriceTable;
  /** Every key of `prices:` and entry of `models:` and `forbidden_models:`, as written: the odd model names a call may use. */
  readonly modelNames: ReadonlySet<string>;
}

const NONE: readonly IndexedRule[] = Object.freeze([]);

function push<K>(map: Map<K, IndexedRule[]>, key: K, value: IndexedRule): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** The literal first path segment of every route of a scope, or undefined when one of them may start anywhere. */
function routeHeads(rule: IndexedRule): readonly string[] | undefined {
  const patterns = rule.rule.spec.route;
  if (patterns === undefined) return undefined;
  const heads: string[] = [];
  for (const pattern of typeof patterns === "string" ? [patterns] : patterns) {
    const head = literalHead(pattern);
    if (head === undefined) return undefined;
    heads.push(head);
  }
  return heads;
}

/** 1 for a list with rules, else 0. */
function filled(list: readonly IndexedRule[] | undefined): 0 | 1 {
  return list === undefined || list.length === 0 ? 0 : 1;
}

/** Merges rule lists sorted by file order into one, without repeats. */
function mergeByFileOrder(lists: readonly (readonly IndexedRule[] | undefined)[]): readonly IndexedRule[] {
  const merged: IndexedRule[] = [];
  for (const list of lists) for (const indexed of list ?? NONE) merged.push(indexed);
  merged.sort((a, b) => a.seq - b.seq);
  let kept = 0;
  for (const indexed of merged) if (kept === 0 || merged[kept - 1] !== indexed) merged[kept++] = indexed;
  merged.length = kept;
  return merged;
}

/**
 * Finds the rules that can apply to a call without scanning every policy. Each enabled rule is filed under one
 * dimension of its scope (its resource, else its operations, else the literal first segment of its routes, else
 * "any call"); a call gathers the lists for what it states. A call that states no resource (or operation, or
 * route) only reaches rules that do not scope on it. The full scope test still runs on every candidate.
 */
export class RuleIndex {
  readonly #byResource = new Map<string, IndexedRule[]>();
  readonly #byOperation = new Map<string, IndexedRule[]>();
  readonly #byRouteHead = new Map<string, IndexedRule[]>();
  readonly #anyCall: IndexedRule[] = [];
  readonly #pairs = new Map<readonly IndexedRule[], Map<readonly IndexedRule[], readonly IndexedRule[]>>();
  /** The operation tags of the last call reached by its tags alone, and its rules (see candidates()). */
  #lastOperations: readonly string[] | undefined | null = null;
  #lastCandidates: readonly IndexedRule[] = NONE;

  constructor(rules: readonly IndexedRule[]) {
    for (const indexed of rules) {
      if (!indexed.policy.enabled) continue;
      const { resources, operations } = indexed.rule.scope;
      const heads = routeHeads(indexed);
      if (resources !== undefined) for (const resource of resources) push(this.#byResource, resource, indexed);
      else if (operations !== undefined) for (const op of operations) push(this.#byOperation, op, indexed);
      else if (heads !== undefined) for (const head of heads) this.#fileUnderHead(head, indexed);
      else this.#anyCall.push(indexed);
    }
  }

  /** Files a rule under its route head, and under the head in lower case for calls whose path is folded. */
  #fileUnderHead(head: string, indexed: IndexedRule): void {
    for (const key of [head, head.toLowerCase()]) if (!this.#byRouteHead.get(key)?.includes(indexed)) push(this.#byRouteHead, key, indexed);
  }

  /** Rules whose resource, operation or route scope can match the call, in file order. */
  candidates(call: ScopedCall): readonly IndexedRule[] {
    const { resource } = call.ctx;
    const { operations } = call;
    const byResource = resource === undefined || this.#byResource.size === 0 ? undefined : this.#byResource.get(resource);
    const head = this.#byRouteHead.size === 0 ? undefined : call.routeHead();
    const byHead = head === undefined ? undefined : this.#byRouteHead.get(head);
    if (byResource !== undefined || byHead !== undefined) return this.#byOperations(byResource, byHead, operations);
    // Reached by its operation tags alone, as most HTTP requests are: the same (shared) tag list as last time gets the same rules.
    if (operations !== this.#lastOperations) {
      this.#lastCandidates = this.#byOperations(undefined, undefined, operations);
      this.#lastOperations = operations;
    }
    return this.#lastCandidates;
  }

  #byOperations(
    byResource: IndexedRule[] | undefined,
    byHead: IndexedRule[] | undefined,
    operations: readonly string[] | undefined,
  ): readonly IndexedRule[] {
    if (operations === undefined || operations.length === 0 || this.#byOperation.size === 0)
      return this.#union(byResource, byHead, undefined);
    if (operations.length === 1) return this.#union(byResource, byHead, this.#byOperation.get(operations[0] as string));
    const byOperation = operations.map((op) => this.#byOperation.get(op)).filter((list) => filled(list) === 1);
    if (byOperation.length <= 1) return this.#union(byResource, byHead, byOperation[0]);
    return mergeByFileOrder([this.#anyCall, byResource, byHead, ...byOperation]);
  }

  /** The rules for any call together with up to three other lists, in file order; a new list only for three or more non-empty ones. */
  #union(a: IndexedRule[] | undefined, b: IndexedRule[] | undefined, c: IndexedRule[] | undefined): readonly IndexedRule[] {
    const any = this.#anyCall;
    const nonEmpty = filled(any) + filled(a) + filled(b) + filled(c);
    if (nonEmpty === 0) return NONE;
    if (nonEmpty > 2) return mergeByFileOrder([any, a, b, c]);
    const first = (filled(any) === 1 ? any : filled(a) === 1 ? a : filled(b) === 1 ? b : c) as IndexedRule[];
    if (nonEmpty === 1) return first;
    return this.#pair(first, (filled(c) === 1 ? c : filled(b) === 1 ? b : a) as IndexedRule[]);
  }

  /** Two lists merged, kept for the next call that reaches the same two (there are only so many lists). */
  #pair(first: readonly IndexedRule[], second: readonly IndexedRule[]): readonly IndexedRule[] {
    let withFirst = this.#pairs.get(first);
    if (withFirst === undefined) this.#pairs.set(first, (withFirst = new Map<readonly IndexedRule[], readonly IndexedRule[]>()));
    let merged = withFirst.get(second);
    if (merged === undefined) withFirst.set(second, (merged = mergeByFileOrder([first, second])));
    return merged;
  }
}

/** Compiles every policy and rule of a loaded file (and code policies joined to it), once. */
export function compilePolicySet(loaded: LoadedPolicyFile | PolicySources): PolicySet {
  const sourceOf = "sourceOf" in loaded ? loaded.sourceOf : (index: number) => ({ name: loaded.file, index });
  const policies = new Map<string, CompiledPolicy>();
  const rules: IndexedRule[] = [];
  const customKeys = new Map<string, IndexedRule>();
  loaded.spec.policies.forEach((spec, p) => {
    const where = loaded.locate(["policies", p]);
    const source = sourceOf(p);
    const policyRules: IndexedRule[] = [];
    const policy: CompiledPolicy = {
      id: spec.id,
      description: spec.description,
      enabled: spec.enabled ?? true,
      mode: spec.enforcement,
      fail: spec.fail ?? "closed",
      rules: policyRules,
      source: source.name,
      line: where?.line,
      column: where?.column,
    };
    spec.rules.forEach((ruleSpec, r) => {
      const limitFunctions = "limitFunctionsOf" in loaded ? loaded.limitFunctionsOf(p, r) : undefined;
      const rule = compileRule(spec.id, r, ruleSpec, loaded.locate(["policies", p, "rules", r]), {
        source: source.name,
        policyIndex: source.index,
        limitFunctions,
        algorithm: loaded.spec.algorithm,
      });
      const indexed: IndexedRule = { rule, policy, seq: rules.length };
      policyRules.push(indexed);
      rules.push(indexed);
      for (const counter of rule.counters) {
        if (typeof counter.key === "object" && !customKeys.has(counter.key.custom)) customKeys.set(counter.key.custom, indexed);
      }
    });
    policies.set(spec.id, policy);
  });
  return {
    file: loaded.file,
    policies,
    mode: loaded.spec.enforcement ?? "strict",
    notices: loaded.notices,
    index: new RuleIndex(rules),
    customKeys,
    rules,
    prices: new PriceTable(loaded.spec.prices),
    modelNames: new Set([
      ...Object.keys(loaded.spec.prices ?? {}),
      ...loaded.spec.policies.flatMap((policy) =>
        policy.rules.flatMap((rule) => [...(rule.models ?? []), ...(rule.forbidden_models ?? [])]),
      ),
    ]),
  };
}
