// `hexarch init --ai`: a dated, commented prices: section and an AI spend policy whose cases pass as written.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parsePolicyText } from "../../src/engine/config/load.js";
import { PRICES_TAKEN_ON } from "../../src/cli/starter-ai.js";
import { runHexarch, tempProject } from "./run-hexarch.js";

let project: ReturnType<typeof tempProject> | undefined;
afterEach(() => project?.remove());

describe("hexarch init --ai", () => {
  it("writes prices with the date they were taken and where to check them, and cases that pass", async () => {
    project = tempProject();
    const run = await runHexarch(["init", "--ai"], { cwd: project.dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`ai_spend, with model prices taken ${PRICES_TAKEN_ON}`);
    const written = readFileSync(join(project.dir, "hexarch.yaml"), "utf8");
    expect(written).toContain(`These were copied on ${PRICES_TAKEN_ON}`);
    expect(written).toContain("https://openai.com/api/pricing");
    expect(written).toContain("https://docs.anthropic.com/en/docs/about-claude/pricing");
    const spec = parsePolicyText(written, "hexarch.yaml").spec;
    expect(Object.keys(spec.prices ?? {})).toContain("claude-3-5-haiku*");
    expect(spec.policies.map((p) => p.id)).toEqual(["api_budget", "rate_limit", "safe_delete", "ai_spend"]);

    const tested = await runHexarch(["test"], { cwd: project.dir });
    expect(tested.stdout).toContain("pass  model calls are priced by tokens; Opus, a runaway prompt and an unpriced model are refused");
    expect(tested.stdout).toContain("5 passed, 0 failed");
    expect(tested.code).toBe(0);
  });
});

describe("hexarch explain with a model", () => {
  it("prices the request from --model, --input-tokens and --max-output-tokens and names the prices: entry", async () => {
    project = tempProject();
    await runHexarch(["init", "--ai"], { cwd: project.dir });
    const run = await runHexarch(
      ["explain", "--resource", "llm", "--model", "gpt-4o-mini-2024-07-18", "--input-tokens", "1200", "--max-output-tokens", "800"],
      { cwd: project.dir },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("model gpt-4o-mini-2024-07-18 · input tokens 1200 · max output tokens 800");
    expect(run.stdout).toContain(
      "priced by prices.gpt-4o-mini*: 1200 input tokens × 0.15 + 800 max output tokens × 0.6 per million = 0.00066",
    );
  });

  it("refuses a token count that is not a whole number, as a usage error", async () => {
    project = tempProject();
    const run = await runHexarch(["explain", "--model", "gpt-4o", "--input-tokens", "12.5"], { cwd: project.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('"12.5" is not a whole number');
  });
});
