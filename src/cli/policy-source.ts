// Finds, reads and compiles the policy file a command works on, naming it relative to the working folder.
import { isAbsolute, relative } from "node:path";
import { compilePolicySet, type PolicySet } from "../engine/compile/policy-set.js";
import { discoverPolicyFile } from "../engine/config/discover.js";
import { loadPolicyFile, type LoadedPolicyFile } from "../engine/config/load.js";
import type { Terminal } from "./terminal.js";

/** A policy file read, validated and compiled for a command. */
export interface PolicySource {
  /** The path as shown to people: relative to the working folder when it lies below it. */
  readonly file: string;
  /** The absolute path. */
  readonly path: string;
  readonly loaded: LoadedPolicyFile;
  readonly set: PolicySet;
}

/** A path as shown to people: relative to `cwd` when it lies below it, else absolute. */
export function displayPath(path: string, cwd: string): string {
  const shown = relative(cwd, path);
  return shown === "" || shown.startsWith("..") || isAbsolute(shown) ? path : shown;
}

/**
 * Loads the file given on the command line, else `HEXARCH_POLICY_FILE`, else the first hexarch.yaml
 * walking up from the working folder. Throws PolicyConfigError with every problem found.
 * @example loadPolicySource(terminal, "hexarch.yaml").set.policies.size
 */
export function loadPolicySource(terminal: Terminal, given: string | undefined): PolicySource {
  const path = discoverPolicyFile({ cwd: terminal.cwd, env: { ...terminal.env }, ...(given === undefined ? {} : { policyFile: given }) });
  const file = displayPath(path, terminal.cwd);
  const loaded = loadPolicyFile(file === path ? path : file);
  return { file, path, loaded, set: compilePolicySet(loaded) };
}
