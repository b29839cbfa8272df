// Issue 28, AI spend: one regression test per defect, each named after what it prevents.
import { describe, expect, it } from "vitest";
import type { GuardContext } from "../../../src/index.js";
import { guardianFor } from "./guardian-for.js";

const PRICED = `
prices:
  gpt-4o: { input_per_mtok: 2.5, output_per_mtok: 10 }
  "claude-*": { input_per_mtok: 15, output_per_mtok: 75 }
policies:
  - id: ai
    rules:
      - resource: llm
        monthly_budget: 0.05
`;

describe("context fields", () => {
  it("a context field spelt as the server's API spells it (input_tokens) is refused, naming inputTokens, instead of admitting the call free", async () => {
    const guardian = guardianFor(PRICED);
    const snake = { resource: "llm", model: "gpt-4o", input_tokens: 100_000, max_output_tokens: 4000 } as unknown as GuardContext;
    await expect(guardian.check("ai", snake)).rejects.toThrow(/unknown context field "input_tokens": did you mean "inputTokens"\?/);
    await expect(guardian.evaluate(snake)).rejects.toThrow(TypeError);
    let ran = false;
    const call = guardian.protect("ai", () => (ran = true), { context: { model: "gpt-4o", max_tokens: 10 } as unknown as GuardContext });
    await expect(call()).rejects.toThrow(/"max_tokens": did you mean "maxOutputTokens"\?/);
    expect(ran).toBe(false);
    const [slot] = guardian.countersFor({ resource: "llm", cost: 0 }, ["ai"]);
    expect((await guardian.store.peek(slot?.key ?? ""))?.used ?? 0).toBe(0);
  });
});
