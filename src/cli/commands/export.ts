// `hexarch export --format json|json-schema`: the normalized policy set, or the JSON Schema of the file format.
import { Option, type Command } from "commander";
import type { PolicyFileSpec } from "../../engine/config/schema.js";
import type { PolicySet } from "../../engine/compile/policy-set.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { policyFileJsonSchema } from "../json-schema.js";
import { loadPolicySource } from "../policy-source.js";
import type { Act } from "../program.js";
import type { Terminal } from "../terminal.js";

interface ExportOptions {
  readonly format: "json" | "json-schema";
}

/**
 * The policy file with every default written out (file and policy enforcement, enabled, fail, rule action),
 * still a valid policy file: JSON is YAML, so the output can be loaded back. The unused `opa:` section is dropped.
 */
function normalizedPolicies(spec: PolicyFileSpec, set: PolicySet): PolicyFileSpec {
  return {
    ...(spec.version === undefined ? {} : { version: spec.version }),
    enforcement: set.mode,
    ...(spec.store === undefined ? {} : { store: spec.store }),
    ...(spec.logging === undefined ? {} : { logging: spec.logging }),
    policies: spec.policies.map((policy) => ({
      id: policy.id,
      ...(policy.description === undefined ? {} : { description: policy.description }),
      enabled: policy.enabled ?? true,
      enforcement: policy.enforcement ?? set.mode,
      fail: policy.fail ?? "closed",
      rules: policy.rules.map((rule) => ({ ...rule, action: rule.action ?? "block" })),
    })),
  };
}

function exportCommand(terminal: Terminal, file: string | undefined, options: ExportOptions): ExitCode {
  if (options.format === "json-schema") {
    terminal.out(JSON.stringify(policyFileJsonSchema(), null, 2));
    return EXIT.OK;
  }
  const source = loadPolicySource(terminal, file);
  terminal.out(JSON.stringify(normalizedPolicies(source.loaded.spec, source.set), null, 2));
  return EXIT.OK;
}

/**
 * Adds `hexarch export [file] --format json|json-schema` to the program.
 * @example registerExport(program, terminal, act)
 */
export function registerExport(program: Command, terminal: Terminal, act: Act): void {
  program
    .command("export")
    .description("print the normalized policy set as JSON, or the JSON Schema of hexarch.yaml for editor completion")
    .argument("[file]", "policy file for --format json (default: HEXARCH_POLICY_FILE, else hexarch.yaml here or above)")
    .addOption(new Option("--format <format>", "what to print").choices(["json", "json-schema"]).default("json"))
    .addHelpText(
      "after",
      "\nExamples:\n  $ hexarch export > policies.json\n  $ hexarch export --format json-schema > hexarch.schema.json\n",
    )
    .action(act((file: string | undefined, options: ExportOptions) => exportCommand(terminal, file, options)));
}
