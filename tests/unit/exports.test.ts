// Pins the public surface of the package's main entry: an export that disappears or appears unannounced fails here.
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import * as api from "../../src/index.js";

/** Values a program can use at run time. Adding one is a feature, removing one a breaking change: update CHANGELOG.md. */
const VALUES = [
  "ApprovalDecisionError",
  "Decision",
  "MemoryStore",
  "PolicyConfigError",
  "PolicyViolation",
  "RedisStore",
  "RedisStoreError",
  "RemoteDecision",
  "createGuardian",
  "createRemoteGuardian",
  "formatProblem",
  "operationForMethod",
  "processGuardian",
];

/** Types only. Same rule: every change here is announced in CHANGELOG.md. */
const TYPES = [
  "ApprovalCall",
  "ApprovalDetails",
  "ApprovalRejection",
  "ApprovalStatus",
  "ApprovalStepListener",
  "ApprovalSubject",
  "CodePolicy",
  "CodeRule",
  "ConfigProblem",
  "CounterOp",
  "CounterReading",
  "CounterReport",
  "CounterSlot",
  "CounterStore",
  "DecisionApproval",
  "DecisionWarning",
  "ExplanationEntry",
  "FindingKind",
  "GuardContext",
  "Guardian",
  "GuardianApprovals",
  "GuardianOptions",
  "KeyFunction",
  "LimitFunction",
  "Logger",
  "Notifier",
  "NotifyEvent",
  "Outcome",
  "PriceEntry",
  "ProcessGuardian",
  "ProtectOptions",
  "RemoteCheckOptions",
  "RemoteGuardian",
  "RemoteGuardianOptions",
  "RedisClientLike",
  "RedisStoreErrorCode",
  "RedisStoreOptions",
  "ReservedCounter",
  "RuleRef",
  "TelemetryOption",
  "TelemetrySettings",
  "TokenUsage",
];

/** Every name src/index.ts exports, types included, as the TypeScript compiler sees it. */
function exportedNames(): string[] {
  const entry = join(import.meta.dirname, "../../src/index.ts");
  // Names only: no lib or @types files are needed to resolve what the entry re-exports.
  const options = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    noEmit: true,
    noLib: true,
    types: [],
  };
  const program = ts.createProgram([entry], options);
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  const module = source === undefined ? undefined : checker.getSymbolAtLocation(source);
  if (module === undefined) throw new Error("src/index.ts did not compile to a module");
  return checker.getExportsOfModule(module).map((symbol) => symbol.getName());
}

describe("public exports of hexarch-guardrails", () => {
  it("has exactly the announced run-time values", () => {
    expect(Object.keys(api).sort()).toEqual([...VALUES].sort());
  });

  it("has exactly the announced names, types included", () => {
    expect(exportedNames().sort()).toEqual([...VALUES, ...TYPES].sort());
  });

  it("exports classes and functions, not stray values", () => {
    for (const name of VALUES) expect(typeof (api as Record<string, unknown>)[name], name).toBe("function");
  });
});
