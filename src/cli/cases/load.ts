// Reads a `hexarch test` case file: YAML, schema, the policy file it tests, and references to that file's policies.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { KeyPath } from "../../engine/config/locate.js";
import { readYaml } from "../../engine/config/load.js";
import { ProblemReport } from "../../engine/config/problem-report.js";
import { reportSchemaIssues } from "../../engine/config/schema-issues.js";
import { suggestionFix } from "../../engine/config/suggest.js";
import { MemoryStore, PolicyConfigError, type ConfigProblem, type CounterSlot } from "../../index.js";
import { displayPath, guardianFor, loadPolicySource, type PolicySource } from "../policy-source.js";
import { parseInstant, requestContext } from "../request.js";
import type { Terminal } from "../terminal.js";
import { CaseFileSchema, type CaseFile, type StateEntry } from "./schema.js";

/**
 * A case file that cannot be run: every problem, located. The CLI exits 2.
 * @example throw new CaseFileError([{ file: "hexarch.test.yaml", path: "cases", message: "..." }])
 */
export class CaseFileError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(`${problems.length} problem(s) in the case file`);
    this.name = "CaseFileError";
    this.problems = problems;
  }
}

/** A validated case file with the policy file it tests. */
export interface LoadedCases {
  /** The case file as shown to people. */
  readonly file: string;
  readonly spec: CaseFile;
  readonly policy: PolicySource;
  /** `file:line:column` of a key path in the case file. */
  place(path: KeyPath): string;
}

const CASE_FILE_EXAMPLE = [
  "a case file looks like:",
  "policy: hexarch.yaml",
  "cases:",
  '  - name: "a delete needs confirmation"',
  '    at: "2026-11-27T16:30:00-05:00"',
  "    requests:",
  "      - { method: DELETE, path: /users/7, expect: { outcome: confirm, status: 428 } }",
].join("\n");

function readText(path: string, file: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = code === "ENOENT" ? "case file not found" : `the case file could not be read: ${(error as Error).message}`;
    throw new CaseFileError([{ file, path: "", message, fix: "check the path" }]);
  }
}

function isMapping(value: unknown): boolean {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * The counters a starting-state entry names: its policy, optionally one rule and one window.
 * @example stateSlots({ policy: "api_budget", used: 9 }, guardian.countersFor(ctx, ["api_budget"]))
 */
export function stateSlots(entry: StateEntry, slots: readonly CounterSlot[]): CounterSlot[] {
  return slots.filter(
    (slot) => (entry.rule === undefined || slot.rule.index === entry.rule) && (entry.window === undefined || slot.window === entry.window),
  );
}

/** Problems in references to the policy file: unknown policy ids, starting state that names no counter. */
function checkReferences(spec: CaseFile, policy: PolicySource, report: ProblemReport): void {
  const known = [...policy.set.policies.keys()];
  const unknownPolicy = (id: string, path: KeyPath): boolean => {
    if (policy.set.policies.has(id)) return false;
    report.add(path, { message: `no policy "${id}" in ${policy.file}`, fix: suggestionFix(id, known, "policies in the file") });
    return true;
  };
  const guardian = guardianFor(policy, { store: new MemoryStore(), env: {} });
  spec.cases.forEach((testCase, c) => {
    testCase.requests.forEach((step, s) => {
      const ids = step.policy === undefined ? [] : typeof step.policy === "string" ? [step.policy] : step.policy;
      ids.forEach((id, i) => unknownPolicy(id, ["cases", c, "requests", s, "policy", ...(typeof step.policy === "string" ? [] : [i])]));
      if (step.at !== undefined && step.after !== undefined) {
        report.add(["cases", c, "requests", s, "after"], {
          message: "a request states its instant once: at: or after:, not both",
          fix: "keep at: (an instant) or after: (a time after the case's at), and remove the other",
        });
      }
    });
    testCase.state?.forEach((entry, e) => {
      const path = ["cases", c, "state", e];
      if (unknownPolicy(entry.policy, [...path, "policy"])) return;
      const all = guardian.countersFor(requestContext({ ...entry, env: entry.env ?? testCase.env }, parseInstant(testCase.at)), [
        entry.policy,
      ]);
      if (stateSlots(entry, all).length > 0) return;
      const available = all.map((slot) => `rule: ${slot.rule.index}, window: ${slot.window}`);
      report.add(path, {
        message: `policy "${entry.policy}" has no counter${entry.rule === undefined ? "" : ` in rule ${entry.rule}`}${entry.window === undefined ? "" : ` with window ${entry.window}`}`,
        fix:
          available.length === 0
            ? `"${entry.policy}" counts nothing (no rate limit or budget): remove this entry`
            : `its counters: ${available.join("; ")}`,
      });
    });
  });
}

/**
 * Reads and validates a case file and loads the policy file it tests: `policyOverride`, else its `policy:` key
 * (relative to the case file), else hexarch.yaml found from the case file's folder upwards.
 * Throws CaseFileError for a broken case file, PolicyConfigError for a broken policy file.
 * @example loadCaseFile(processTerminal(), "hexarch.test.yaml", undefined).spec.cases.length
 */
export function loadCaseFile(terminal: Terminal, path: string, policyOverride: string | undefined): LoadedCases {
  const absolute = resolve(terminal.cwd, path);
  const file = displayPath(absolute, terminal.cwd);
  let yaml: ReturnType<typeof readYaml>;
  try {
    yaml = readYaml(readText(absolute, file), file);
  } catch (error) {
    if (error instanceof PolicyConfigError) throw new CaseFileError(error.problems);
    throw error;
  }
  const report = new ProblemReport(file, yaml.locator, yaml.data);
  if (!isMapping(yaml.data)) {
    report.addWholeFile(
      { message: "a case file must be a mapping with a cases: list at the top", fix: CASE_FILE_EXAMPLE },
      yaml.locator.locate([]),
    );
    throw new CaseFileError(report.problems);
  }
  const parsed = CaseFileSchema.safeParse(yaml.data);
  if (!parsed.success) {
    reportSchemaIssues(parsed.error.issues, yaml.data, report, CaseFileSchema);
    throw new CaseFileError(report.sortedProblems());
  }
  const spec = parsed.data;
  const given =
    policyOverride === undefined
      ? spec.policy === undefined
        ? undefined
        : resolve(dirname(absolute), spec.policy)
      : resolve(terminal.cwd, policyOverride);
  const policy = loadPolicySource(terminal, given, dirname(absolute));
  checkReferences(spec, policy, report);
  if (report.problems.length > 0) throw new CaseFileError(report.sortedProblems());
  return { file, spec, policy, place: (keyPath) => report.describePlace(keyPath) };
}
