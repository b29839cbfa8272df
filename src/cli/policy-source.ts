// Finds, reads and compiles the policy file a command works on, naming it relative to the working folder.
import { readFileSync, statSync } from "node:fs";
import { isAbsolute, relative } from "node:path";
import { compilePolicySet, type PolicySet } from "../engine/compile/policy-set.js";
import { discoverPolicyFile } from "../engine/config/discover.js";
import { loadPolicyFile, MAX_POLICY_FILE_BYTES, parsePolicyText, type LoadedPolicyFile } from "../engine/config/load.js";
import { createGuardian, PolicyConfigError, type Guardian, type GuardianOptions, type KeyFunction, type Logger } from "../index.js";
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

/**
 * A path as shown to people: relative to `cwd` when it lies below it, else absolute.
 * @example displayPath("/app/hexarch.yaml", "/app") // "hexarch.yaml"
 */
export function displayPath(path: string, cwd: string): string {
  const shown = relative(cwd, path);
  return shown === "" || shown.startsWith("..") || isAbsolute(shown) ? path : shown;
}

/**
 * Loads the file given on the command line, else `HEXARCH_POLICY_FILE`, else the first hexarch.yaml
 * walking up from `searchFrom` (default: the working folder). Throws PolicyConfigError with every problem found.
 * @example loadPolicySource(terminal, "hexarch.yaml").set.policies.size
 */
export function loadPolicySource(terminal: Terminal, given: string | undefined, searchFrom: string = terminal.cwd): PolicySource {
  const path = discoverPolicyFile({
    cwd: searchFrom,
    env: { ...terminal.env },
    ...(given === undefined ? {} : { policyFile: given, givenBy: "the command line" }),
  });
  const file = displayPath(path, terminal.cwd);
  const loaded = loadShownAs(path, file);
  return { file, path, loaded, set: compilePolicySet(loaded) };
}

/**
 * Reads the policy file from its absolute path, so the run does not depend on process.cwd(), and names it as
 * shown in everything it reports. A file the engine would refuse to read (too large, unreadable) gets the
 * engine's own problem, renamed.
 */
function loadShownAs(path: string, file: string): LoadedPolicyFile {
  if (file === path) return loadPolicyFile(path);
  let text: string | undefined;
  try {
    if (statSync(path).size <= MAX_POLICY_FILE_BYTES) text = readFileSync(path, "utf8");
  } catch {
    text = undefined;
  }
  if (text !== undefined) return parsePolicyText(text, file);
  try {
    return loadPolicyFile(path);
  } catch (error) {
    if (!(error instanceof PolicyConfigError)) throw error;
    throw new PolicyConfigError(error.problems.map((problem) => (problem.file === path ? { ...problem, file } : problem)));
  }
}

/** A logger that drops everything: the CLI reports configuration remarks itself (`hexarch validate`). */
const QUIET_LOGGER: Logger = Object.freeze({ info() {}, warn() {}, error() {} });

/**
 * A guardian over an already loaded policy file. Custom counter keys (`key: tenant`) read the request's `keys`
 * and otherwise fall back to the client, as the engine does when a key function returns nothing. It writes no decision
 * log (the CLI evaluates calls that never happened) unless `writesLog`: a person's approval from the CLI is a step the
 * app's log must hold, appended as a chain of this process's own.
 * @example guardianFor(source, { clock: () => at, store: new MemoryStore() })
 */
export function guardianFor(
  source: PolicySource,
  options: Pick<GuardianOptions, "clock" | "store" | "env" | "environment" | "cwd">,
  writesLog = false,
): Guardian {
  const keys: Record<string, KeyFunction> = {};
  for (const name of source.set.customKeys.keys()) keys[name] = () => undefined;
  const log = writesLog ? {} : { decisionLog: false as const };
  return createGuardian({ ...options, policyFile: source.path, keys, logger: QUIET_LOGGER, ...log });
}
