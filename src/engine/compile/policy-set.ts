// Compiles a validated policy file into policies with their rules, and indexes the rules by resource and operation.
import type { LoadedPolicyFile } from "../config/load.js";
import { compileRule, type CompiledRule } from "./rule.js";

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
}

interface Bucket {
  readonly byOperation: Map<string, IndexedRule[]>;
  readonly anyOperation: IndexedRule[];
}

const CACHE_LIMIT = 4096;
const NONE: readonly IndexedRule[] = Object.freeze([]);

function newBucket(): Bucket {
  return { byOperation: new Map(), anyOperation: [] };
}

function push<K>(map: Map<K, IndexedRule[]>, key: K, value: IndexedRule): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/**
 * Finds the rules that can apply to a resource and a set of operation tags without scanning every policy.
 * A context that states no resource (or no operation) only reaches rules that do not scope on it.
 */
export class RuleIndex {
  readonly #byResource = new Map<string, Bucket>();
  readonly #anyResource = newBucket();
  readonly #cache = new Map<string, readonly IndexedRule[]>();

  constructor(rules: readonly IndexedRule[]) {
    for (const indexed of rules) {
      if (!indexed.policy.enabled) continue;
      const { resources, operations } = indexed.rule.scope;
      const buckets = resources === undefined ? [this.#anyResource] : [...resources].map((r) => this.#bucket(r));
      for (const bucket of buckets) {
        if (operations === undefined) bucket.anyOperation.push(indexed);
        else for (const op of operations) push(bucket.byOperation, op, indexed);
      }
    }
  }

  #bucket(resource: string): Bucket {
    let bucket = this.#byResource.get(resource);
    if (bucket === undefined) this.#byResource.set(resource, (bucket = newBucket()));
    return bucket;
  }

  /** Rules whose resource and operation scope can match, in file order. Cached per (resource, operations). */
  candidates(resource: string | undefined, operations: readonly string[] | undefined): readonly IndexedRule[] {
    const cacheKey = operations === undefined ? `${resource ?? ""}\u0001` : `${resource ?? ""}\u0001${operations.join("\u0002")}`;
    const cached = this.#cache.get(cacheKey);
    if (cached !== undefined) return cached;
    const found = this.#collect(resource, operations);
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(cacheKey, found);
    return found;
  }

  #collect(resource: string | undefined, operations: readonly string[] | undefined): readonly IndexedRule[] {
    const buckets = [this.#anyResource];
    const named = resource === undefined ? undefined : this.#byResource.get(resource);
    if (named !== undefined) buckets.push(named);
    const found = new Set<IndexedRule>();
    for (const bucket of buckets) {
      for (const indexed of bucket.anyOperation) found.add(indexed);
      for (const op of operations ?? []) for (const indexed of bucket.byOperation.get(op) ?? []) found.add(indexed);
    }
    return found.size === 0 ? NONE : [...found].sort((a, b) => a.seq - b.seq);
  }
}

/** Compiles every policy and rule of a loaded file, once. */
export function compilePolicySet(loaded: LoadedPolicyFile): PolicySet {
  const policies = new Map<string, CompiledPolicy>();
  const rules: IndexedRule[] = [];
  const customKeys = new Map<string, IndexedRule>();
  loaded.spec.policies.forEach((spec, p) => {
    const where = loaded.locate(["policies", p]);
    const policyRules: IndexedRule[] = [];
    const policy: CompiledPolicy = {
      id: spec.id,
      description: spec.description,
      enabled: spec.enabled ?? true,
      mode: spec.enforcement,
      fail: spec.fail ?? "closed",
      rules: policyRules,
      line: where?.line,
      column: where?.column,
    };
    spec.rules.forEach((ruleSpec, r) => {
      const rule = compileRule(spec.id, r, ruleSpec, loaded.locate(["policies", p, "rules", r]));
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
  };
}
