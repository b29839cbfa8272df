// The configuration error family: a policy file or option that cannot be used, with every problem located.

/** One problem found in a policy file or in options, located as precisely as the source allows. */
export interface ConfigProblem {
  /** Path of the policy file, or `"<options>"` for a problem in code-supplied options. */
  readonly file: string;
  /** 1-based line, when the problem has a place in the file. */
  readonly line?: number;
  /** 1-based column, when the problem has a place in the file. */
  readonly column?: number;
  /** The id of the policy the problem sits in, when known. */
  readonly policyId?: string;
  /** Key path inside the file, e.g. `policies[1].rules[0].requests_per_minite`. */
  readonly path: string;
  /** What is wrong. */
  readonly message: string;
  /** How to fix it. */
  readonly fix?: string;
}

/** Renders one problem as `file:line:column  path  message (fix)`. */
export function formatProblem(problem: ConfigProblem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}:${problem.column ?? 1}`;
  const policy = problem.policyId === undefined ? "" : ` [policy ${problem.policyId}]`;
  const path = problem.path === "" ? "" : ` ${problem.path}:`;
  const fix = problem.fix === undefined ? "" : `\n    fix: ${problem.fix}`;
  return `${where}${policy}${path} ${problem.message}${fix}`;
}

/**
 * Thrown when a policy file or options cannot be used. Carries every problem found, not only the first.
 * @example
 * try { createGuardian() } catch (e) { if (e instanceof PolicyConfigError) console.error(e.problems) }
 */
export class PolicyConfigError extends Error {
  readonly code = "HEXARCH_CONFIG" as const;
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], summary?: string) {
    const head = summary ?? `${problems.length} problem${problems.length === 1 ? "" : "s"} in the policy configuration`;
    super(`${head}:\n${problems.map((p) => `  ${formatProblem(p)}`).join("\n")}`);
    this.name = "PolicyConfigError";
    this.problems = problems;
  }
}
