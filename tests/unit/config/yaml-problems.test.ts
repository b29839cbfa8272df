// Tests whole-file problems: YAML syntax, size limit, alias bombs, empty or non-mapping files, unreadable paths.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it, expect } from "vitest";
import { loadPolicyFile, MAX_POLICY_FILE_BYTES, parsePolicyText } from "../../../src/engine/config/load.js";
import { PolicyConfigError, type ConfigProblem } from "../../../src/errors/config-error.js";

const BROKEN = join(import.meta.dirname, "../../fixtures/broken");

/** The problems thrown by `action` (fails the test if it does not throw a PolicyConfigError). */
function problemsFrom(action: () => unknown): readonly ConfigProblem[] {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyConfigError);
    return (error as PolicyConfigError).problems;
  }
  throw new Error("expected a PolicyConfigError");
}

const problemsOf = (text: string): readonly ConfigProblem[] => problemsFrom(() => parsePolicyText(text, "hexarch.yaml"));

describe("YAML and whole-file problems", () => {
  it("reports a tab indent with its line and column in plain words", () => {
    const [problem] = problemsFrom(() => loadPolicyFile(join(BROKEN, "tab_indent.yaml")));
    expect(problem).toMatchObject({
      line: 5,
      column: 1,
      path: "",
      message: "YAML syntax error: tabs are not allowed for indentation",
      fix: "indent with spaces only",
    });
  });

  it("reports duplicate keys (unique keys are enforced) naming the key", () => {
    const problems = problemsOf("policies: []\npolicies: []\n");
    expect(problems[0]).toMatchObject({ line: 2, column: 1 });
    expect(problems[0]?.message).toContain('duplicate key "policies"');
  });

  it("reports every syntax error, each located", () => {
    const problems = problemsOf("a: 1\na: 2\nb: [1, 2\n---\nc: 3\n");
    expect(problems.length).toBeGreaterThanOrEqual(2);
    for (const problem of problems) {
      expect(problem.line).toBeGreaterThanOrEqual(1);
      expect(problem.message).toMatch(/^YAML syntax error: /);
    }
  });

  it("refuses texts over 1 MiB with the size and the limit", () => {
    const text = `policies: []\n#${"x".repeat(MAX_POLICY_FILE_BYTES)}\n`;
    const [problem] = problemsOf(text);
    expect(problem?.message).toBe(`file too large: ${Buffer.byteLength(text)} bytes, the limit is ${MAX_POLICY_FILE_BYTES} bytes (1 MiB)`);
  });

  it("refuses large files on disk before reading them", () => {
    const path = join(mkdtempSync(join(tmpdir(), "hexarch-big-")), "hexarch.yaml");
    writeFileSync(path, `policies: []\n#${"x".repeat(MAX_POLICY_FILE_BYTES)}\n`);
    expect(problemsFrom(() => loadPolicyFile(path))[0]?.message).toMatch(/^file too large: \d+ bytes, the limit is 1048576 bytes/);
  });

  it("refuses alias bombs instead of expanding them", () => {
    const [problem] = problemsFrom(() => loadPolicyFile(join(BROKEN, "alias_bomb.yaml")));
    expect(problem?.message).toBe("too many YAML aliases (possible alias bomb)");
  });

  it("still accepts a few ordinary aliases", () => {
    const text =
      'policies:\n  - id: a\n    rules: &r\n      - operation: delete\n        action: "require_confirmation"\n  - id: b\n    rules: *r\n';
    expect(parsePolicyText(text, "x").spec.policies[1]?.rules).toEqual([{ operation: "delete", action: "require_confirmation" }]);
  });

  it("reports an alias used before its anchor", () => {
    expect(problemsOf("policies: *nope\n")[0]?.message).toMatch(/^YAML alias problem: unresolved alias/);
  });

  it.each([
    ["an empty file", "", "the policy file is empty"],
    ["a comment-only file", "# nothing yet\n", "the policy file is empty"],
    ["a list at the top", "- id: x\n", "the policy file must be a mapping with a policies: key at the top"],
    ["a scalar at the top", "hello\n", "the policy file must be a mapping with a policies: key at the top"],
    ["a mapping without policies", "version: 1\n", "the file has no policies: list"],
  ])("explains how to start for %s", (_label, text, message) => {
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: "", message });
    expect(problems[0]?.fix).toContain("policies:\n  - id:");
  });

  it("reports a missing file and a folder given as a file", () => {
    expect(problemsFrom(() => loadPolicyFile("/no/such/hexarch.yaml"))[0]).toMatchObject({
      file: "/no/such/hexarch.yaml",
      message: "policy file not found",
    });
    expect(problemsFrom(() => loadPolicyFile(tmpdir()))[0]?.message).toBe("this is a folder, not a policy file");
  });

  it("adds one notice for an opa: section and none without it", () => {
    const loaded = parsePolicyText("opa:\n  url: http://localhost:8181\npolicies: []\n", "hexarch.yaml");
    expect(loaded.notices).toHaveLength(1);
    expect(loaded.notices[0]).toContain("opa: section is accepted but unused; policies are evaluated in-process");
    expect(parsePolicyText("policies: []\n", "hexarch.yaml").notices).toEqual([]);
  });
});
