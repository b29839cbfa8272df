// `hexarch list [file]`: every policy and rule in a table (mode, enabled, kind, limits, scope), or as JSON.
import type { Command } from "commander";
import type { IndexedRule, PolicySet } from "../../engine/compile/policy-set.js";
import { withAlgorithm, type RateCounter } from "../../engine/compile/rule.js";
import { describeScope, describeTriggers } from "../../engine/compile/summary.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { loadPolicySource } from "../policy-source.js";
import type { Act } from "../program.js";
import { renderTable } from "../table.js";
import type { Terminal } from "../terminal.js";

interface ListOptions {
  readonly json?: boolean;
}

/** The kinds of finding a rule can produce, in evaluation order: checks, then counters, else its scope alone. */
function ruleKinds(indexed: IndexedRule): string[] {
  const { rule } = indexed;
  const kinds = [...rule.checks.map((check) => check.kind), ...rule.counters.map((counter) => counter.kind)];
  if (rule.unconditionalKind !== undefined) kinds.push(rule.unconditionalKind);
  return [...new Set(kinds)];
}

/** One rule as `list --json` prints it: `algorithm` and `burst` are null for a rule without a rate limit. */
function ruleRow(indexed: IndexedRule) {
  const { ref, spec, action, counters } = indexed.rule;
  const rate = counters.find((counter): counter is RateCounter => counter.kind === "rate");
  return {
    index: ref.index,
    kinds: ruleKinds(indexed),
    limits: describeTriggers(withAlgorithm(spec, rate?.algorithm)),
    algorithm: rate?.algorithm ?? null,
    burst: rate?.algorithm === "token_bucket" ? (spec.burst ?? null) : null,
    scope: describeScope(spec) ?? (spec.feature === undefined ? "every call" : `feature ${spec.feature}`),
    action,
    line: ref.line ?? null,
    column: ref.column ?? null,
  };
}

/** The policy set as plain data: what `list --json` prints. */
function listing(file: string, set: PolicySet) {
  return {
    file,
    enforcement: set.mode,
    policies: [...set.policies.values()].map((policy) => ({
      id: policy.id,
      description: policy.description ?? null,
      enabled: policy.enabled,
      mode: policy.mode ?? set.mode,
      fail: policy.fail,
      line: policy.line ?? null,
      rules: policy.rules.map(ruleRow),
    })),
  };
}

function list(terminal: Terminal, file: string | undefined, options: ListOptions): ExitCode {
  const source = loadPolicySource(terminal, file);
  const data = listing(source.file, source.set);
  if (options.json === true) {
    terminal.out(JSON.stringify(data, null, 2));
    return EXIT.OK;
  }
  const rows = data.policies.flatMap((policy) =>
    policy.rules.map((rule) => [
      rule.index === 0 ? policy.id : "",
      rule.index === 0 ? policy.mode : "",
      rule.index === 0 ? (policy.enabled ? "yes" : "no") : "",
      `#${rule.index}`,
      rule.kinds.join("+"),
      rule.limits,
      rule.scope,
    ]),
  );
  terminal.out(`${source.file}: enforcement ${data.enforcement}`);
  for (const line of renderTable(["POLICY", "MODE", "ENABLED", "RULE", "KIND", "LIMITS", "SCOPE"], rows, terminal.paint))
    terminal.out(line);
  return EXIT.OK;
}

/**
 * Adds `hexarch list [file] [--json]` to the program.
 * @example registerList(program, terminal, act)
 */
export function registerList(program: Command, terminal: Terminal, act: Act): void {
  program
    .command("list")
    .description("show every policy and rule: mode, enabled, kind, limits and scope")
    .argument("[file]", "policy file (default: HEXARCH_POLICY_FILE, else hexarch.yaml here or above)")
    .option("--json", "print the policies and rules as JSON")
    .addHelpText("after", "\nExamples:\n  $ hexarch list\n  $ hexarch list config/hexarch.yaml --json | jq '.policies[].id'\n")
    .action(act((file: string | undefined, options: ListOptions) => list(terminal, file, options)));
}
