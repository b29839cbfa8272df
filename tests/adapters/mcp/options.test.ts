// guardTools() options are checked once, at start-up: unknown or HTTP-only keys, bad values, a context entry that is not facts.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { describe, expect, it } from "vitest";
import { createGuardian, PolicyConfigError } from "../../../src/index.js";
import { guardTools } from "../../../src/adapters/mcp.js";
import { TOOL_POLICY } from "./harness.js";

const fresh = (): McpServer => new McpServer({ name: "options", version: "1.0.0" });
const guardian = createGuardian({ policyText: TOOL_POLICY, env: {} });

function problemOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a PolicyConfigError");
}

describe("guardTools() options", () => {
  it.each([
    ["an HTTP-only option", { guardian, headers: false }, /unknown option "headers"/],
    ["a misspelt option", { guardian, contxt: {} }, /did you mean "context"/],
    ["a context that is neither a function nor an object", { guardian, context: "read" }, /expected function or object/],
    ["a context entry that is not facts", { guardian, context: { list_files: { input_tokens: 10 } } }, /did you mean "inputTokens"/],
    [
      "a context entry that sets confirm",
      { guardian, context: { delete_file: { confirm: true } } },
      /"confirm" is not a fact a tool states/,
    ],
    ["a confirmTimeout of 0", { guardian, confirmTimeout: 0 }, /confirmTimeout/],
    ["an approvalTimeout that is not a number", { guardian, approvalTimeout: "5 min" }, /approvalTimeout/],
    ["an approvalTimeout over a day", { guardian, approvalTimeout: 86_401 }, /approvalTimeout.*not a time to wait/],
    ["a guardian together with a policy file", { guardian, policyFile: "hexarch.yaml" }, /guardian was given together with policyFile/],
  ])("%s throws PolicyConfigError at start-up", (_label, options, message) => {
    expect(problemOf(() => guardTools(fresh(), options as never))).toMatch(message);
  });

  it("a broken policy file throws at start-up, naming the file", () => {
    expect(problemOf(() => guardTools(fresh(), { policyText: "policies: [", policyFile: "broken.yaml" }))).toMatch(/broken\.yaml/);
  });

  it("something that is not an McpServer is refused with what to pass", () => {
    expect(problemOf(() => guardTools({} as never, { guardian }))).toMatch(/expected an McpServer/);
  });
});
