// Reads and validates a hexarch.yaml: YAML parsing, schema and semantic checks, all problems reported at once.
import { readFileSync, statSync } from "node:fs";
import { isScalar, LineCounter, parseDocument, visit, type Document, type YAMLError } from "yaml";
import { PolicyConfigError } from "../../errors/config-error.js";
import { PolicyFileSchema, type PolicyFileSpec } from "./schema.js";
import { createSourceLocator, type KeyPath, type SourceLocator, type SourcePosition } from "./locate.js";
import { ProblemReport } from "./problem-report.js";
import { reportSchemaIssues, STARTER_FIX } from "./schema-issues.js";
import { checkSemantics } from "./semantics.js";

/** Largest policy file accepted, in bytes (1 MiB). */
export const MAX_POLICY_FILE_BYTES = 1024 * 1024;
/** Most alias expansions allowed when converting YAML, to refuse "billion laughs" alias bombs. */
export const MAX_YAML_ALIASES = 50;

/** A validated policy file, with a way to find where each part of it was written. */
export interface LoadedPolicyFile {
  /** The file name or path the text came from. */
  readonly file: string;
  /** The validated content. */
  readonly spec: PolicyFileSpec;
  /** Non-fatal remarks, e.g. that an `opa:` section is ignored. */
  readonly notices: string[];
  /** 1-based line/column of the node at a key path such as `["policies", 0, "rules", 1]`, if present. */
  locate(path: readonly (string | number)[]): { line: number; column: number } | undefined;
}

/** Plain-language wording and fix for the YAML syntax errors people most often make. */
const SYNTAX_HINTS: Partial<Record<YAMLError["code"], { message: string; fix: string }>> = {
  TAB_AS_INDENT: { message: "tabs are not allowed for indentation", fix: "indent with spaces only" },
  MULTIPLE_DOCS: {
    message: "the file holds more than one YAML document",
    fix: "keep everything in one document: remove the extra --- line",
  },
  BAD_INDENT: {
    message: "this line is not indented consistently",
    fix: "indent it with spaces like the other entries at the same level, and close any open [ or {",
  },
  MISSING_CHAR: { message: "a closing character is missing", fix: "check for an unclosed quote, [ or {" },
  MULTILINE_IMPLICIT_KEY: {
    message: "a key must fit on one line",
    fix: "check for a missing colon or an unclosed quote on the line above",
  },
};

/** Lower-cases the first letter of a library message so it reads as part of a sentence. */
function asClause(message: string): string {
  return message.charAt(0).toLowerCase() + message.slice(1);
}

/** The source text of the mapping key that starts at `offset`, for naming a duplicate key. */
function keyTextAt(doc: Document, offset: number): string | undefined {
  let found: string | undefined;
  visit(doc, {
    Pair(_index, pair) {
      if (isScalar(pair.key) && pair.key.range?.[0] === offset) {
        found = String(pair.key.value);
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** Adds one located problem per YAML syntax error, in the parser's order (the first is usually the cause). */
function reportSyntaxErrors(doc: Document, text: string, lineCounter: LineCounter, report: ProblemReport): void {
  for (const error of doc.errors) {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    const position: SourcePosition | undefined = line >= 1 && col >= 1 ? { line, column: col } : undefined;
    let hint = SYNTAX_HINTS[error.code];
    if (error.code === "DUPLICATE_KEY") {
      const key = keyTextAt(doc, error.pos[0]) ?? text.slice(error.pos[0], error.pos[1]).trim();
      hint = {
        message: `duplicate key ${JSON.stringify(key)}: a key may appear only once in the same mapping`,
        fix: "remove or rename one of them",
      };
    }
    const message = `YAML syntax error: ${hint?.message ?? asClause(error.message)}`;
    report.addWholeFile({ message, fix: hint?.fix }, position);
  }
}

/** Converts the document to plain data, turning alias failures into problems. */
function toPlainData(convert: () => unknown, report: ProblemReport): { ok: true; data: unknown } | { ok: false } {
  try {
    return { ok: true, data: convert() };
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    if (/excessive alias count/i.test(text)) {
      report.addWholeFile({
        message: "too many YAML aliases (possible alias bomb)",
        fix: `use at most ${MAX_YAML_ALIASES} alias expansions (*name); write repeated values out instead`,
      });
    } else if (/unresolved alias/i.test(text)) {
      report.addWholeFile({
        message: `YAML alias problem: ${asClause(text)}`,
        fix: "define the anchor (&name) before using the alias (*name)",
      });
    } else {
      report.addWholeFile({ message: `the YAML could not be converted to data: ${asClause(text)}` });
    }
    return { ok: false };
  }
}

/** Whether the value is a YAML mapping (a plain object). */
function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Throws the report's problems when there are any, in file order unless `inFileOrder` is false. */
function throwIfProblems(report: ProblemReport, inFileOrder = true): void {
  if (report.problems.length > 0) throw new PolicyConfigError(inFileOrder ? report.sortedProblems() : report.problems);
}

/** YAML text read into plain data, with a way to locate key paths in the source. */
export interface YamlSource {
  readonly data: unknown;
  readonly locator: SourceLocator;
}

/**
 * Parses YAML text with the policy file's safeguards (1 MiB limit, unique keys, alias-bomb limit) and throws
 * PolicyConfigError with every syntax problem located and explained. Shared with `hexarch test` case files.
 * @example readYaml("a: 1", "x.yaml").data // { a: 1 }
 */
export function readYaml(text: string, file: string): YamlSource {
  const early = new ProblemReport(file);
  const size = Buffer.byteLength(text, "utf8");
  if (size > MAX_POLICY_FILE_BYTES) {
    early.addWholeFile({
      message: `file too large: ${size} bytes, the limit is ${MAX_POLICY_FILE_BYTES} bytes (1 MiB)`,
      fix: "a policy file should be a few kilobytes; split or trim it",
    });
    throwIfProblems(early);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: "error" });
  reportSyntaxErrors(doc, text, lineCounter, early);
  throwIfProblems(early, false);
  const converted = toPlainData(() => doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }), early);
  throwIfProblems(early);
  return { data: converted.ok ? converted.data : undefined, locator: createSourceLocator(doc, lineCounter) };
}

/** The parsing pipeline; may throw PolicyConfigError (or, on a library bug, something else, caught by the caller). */
function parseChecked(text: string, file: string): LoadedPolicyFile {
  const { data, locator } = readYaml(text, file);
  const report = new ProblemReport(file, locator, data);
  if (data === null || data === undefined) {
    report.addWholeFile({ message: "the policy file is empty", fix: STARTER_FIX });
  } else if (!isMapping(data)) {
    report.addWholeFile(
      { message: "the policy file must be a mapping with a policies: key at the top", fix: STARTER_FIX },
      locator.locate([]),
    );
  }
  throwIfProblems(report);
  const result = PolicyFileSchema.safeParse(data);
  if (!result.success) reportSchemaIssues(result.error.issues, data, report);
  checkSemantics(data, report);
  throwIfProblems(report);
  if (!result.success) throw new PolicyConfigError([{ file, path: "", message: "the policy file is not valid" }]);
  const notices: string[] = [];
  if (isMapping(data) && Object.prototype.hasOwnProperty.call(data, "opa")) {
    notices.push(`${report.describePlace(["opa"])}: the opa: section is accepted but unused; policies are evaluated in-process`);
  }
  return { file, spec: result.data, notices, locate: (path: KeyPath) => locator.locate(path) };
}

/**
 * Parses and validates policy-file text. Throws PolicyConfigError listing every problem found,
 * and never any other kind of exception, whatever the text is.
 * @example parsePolicyText("policies: []", "hexarch.yaml").spec.policies // []
 */
export function parsePolicyText(text: string, fileName: string): LoadedPolicyFile {
  try {
    return parseChecked(text, fileName);
  } catch (error) {
    if (error instanceof PolicyConfigError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new PolicyConfigError([{ file: fileName, path: "", message: `the policy file could not be read: ${reason}` }]);
  }
}

/**
 * Reads a policy file from disk (synchronously) and validates it like `parsePolicyText`.
 * Refuses missing paths, folders and files over 1 MiB before reading them.
 */
export function loadPolicyFile(path: string): LoadedPolicyFile {
  let text: string;
  try {
    const stats = statSync(path);
    if (stats.isDirectory()) {
      throw new PolicyConfigError([
        {
          file: path,
          path: "",
          message: "this is a folder, not a policy file",
          fix: `point to the file inside it, e.g. ${path}/hexarch.yaml`,
        },
      ]);
    }
    if (stats.size > MAX_POLICY_FILE_BYTES) {
      throw new PolicyConfigError([
        { file: path, path: "", message: `file too large: ${stats.size} bytes, the limit is ${MAX_POLICY_FILE_BYTES} bytes (1 MiB)` },
      ]);
    }
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof PolicyConfigError) throw error;
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const message =
      code === "ENOENT"
        ? "policy file not found"
        : `the policy file could not be read: ${error instanceof Error ? error.message : String(error)}`;
    throw new PolicyConfigError([
      { file: path, path: "", message, fix: "check the path, or create one with `npx hexarch-guardrails init`" },
    ]);
  }
  return parsePolicyText(text, path);
}
