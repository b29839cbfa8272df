// Pins the run-time surface of hexarch-guardrails/mcp (types are pinned by api/mcp.api.md): a change here is announced in CHANGELOG.md.
import { describe, expect, it } from "vitest";
import * as mcp from "../../../src/adapters/mcp.js";

describe("hexarch-guardrails/mcp exports", () => {
  it("exports guardTools, toolDecision, operationOf and the three constants, nothing else", () => {
    expect(Object.keys(mcp).sort()).toEqual([
      "APPROVAL_META_KEY",
      "DECISION_META_KEY",
      "TOOL_RESOURCE_TYPE",
      "guardTools",
      "operationOf",
      "toolDecision",
    ]);
    expect([mcp.APPROVAL_META_KEY, mcp.DECISION_META_KEY, mcp.TOOL_RESOURCE_TYPE]).toEqual([
      "hexarch/approval",
      "hexarch/decision",
      "mcp_tool",
    ]);
  });

  it("operationOf reads annotations with MCP's defaults", () => {
    expect(mcp.operationOf({ readOnlyHint: true })).toBe("read");
    expect(mcp.operationOf({ readOnlyHint: true, destructiveHint: true })).toBe("read");
    expect(mcp.operationOf({ destructiveHint: false })).toBe("write");
    expect(mcp.operationOf({ readOnlyHint: false })).toBe("delete");
    expect(mcp.operationOf({ destructiveHint: true })).toBe("delete");
    expect(mcp.operationOf(undefined)).toBe("delete");
  });
});
