// Enforcement modes and their precedence (option > HEXARCH_MODE > policy > file), and disabled policies.
import { describe, expect, it } from "vitest";
import { PolicyConfigError } from "../../../src/index.js";
import { guardianFor } from "./guardian-for.js";

function file(fileMode: string | undefined, policyMode: string | undefined): string {
  return `
${fileMode === undefined ? "" : `enforcement: ${fileMode}`}
policies:
  - id: no_deletes
${policyMode === undefined ? "" : `    enforcement: ${policyMode}`}
    rules:
      - operation: delete
`;
}

describe("modes", () => {
  it("strict (the default) blocks", async () => {
    const decision = await guardianFor(file(undefined, undefined)).check("no_deletes", { operation: "delete" });
    expect(decision.outcome).toBe("deny");
    expect(decision.wouldBe).toBeUndefined();
  });

  it("warn (shadow) lets the call through and says what strict would have answered", async () => {
    const decision = await guardianFor(file("warn", undefined)).check("no_deletes", { operation: "delete" });
    expect(decision.outcome).toBe("warn");
    expect(decision.isAllowed()).toBe(true);
    expect(decision.wouldBe).toBe("deny");
    expect(decision.kind).toBe("block");
    expect(decision.policyId).toBe("no_deletes");
    expect(decision.warnings).toEqual([
      expect.objectContaining({
        kind: "shadow",
        wouldBe: "deny",
        message: "shadow mode: Policy 'no_deletes' denies this call: blocked, on operation delete",
      }),
    ]);
  });

  it("off skips evaluation altogether", async () => {
    const decision = await guardianFor(file(undefined, undefined), { mode: "off" }).check("no_deletes", { operation: "delete" });
    expect(decision.outcome).toBe("allow");
    expect(decision.reason).toBe("enforcement is off");
    expect(decision.explain().every((entry) => !entry.applied && entry.why === "enforcement is off")).toBe(true);
  });

  it.each([
    // [file, policy, HEXARCH_MODE, option, expected outcome]
    [undefined, "warn", undefined, undefined, "warn"],
    ["warn", "strict", undefined, undefined, "deny"],
    ["strict", "warn", undefined, undefined, "warn"],
    ["strict", "warn", "strict", undefined, "deny"],
    ["strict", "strict", "warn", undefined, "warn"],
    ["strict", "strict", "off", undefined, "allow"],
    ["strict", "strict", "off", "strict", "deny"],
    ["warn", "warn", "warn", "strict", "deny"],
    ["strict", "strict", "strict", "warn", "warn"],
    ["strict", "strict", "strict", "off", "allow"],
  ] as const)("file %s, policy %s, HEXARCH_MODE %s, option %s → %s", async (fileMode, policyMode, envMode, option, expected) => {
    const guardian = guardianFor(file(fileMode, policyMode), {
      env: envMode === undefined ? {} : { HEXARCH_MODE: envMode },
      ...(option === undefined ? {} : { mode: option }),
    });
    expect((await guardian.check("no_deletes", { operation: "delete" })).outcome).toBe(expected);
  });

  it("an unknown HEXARCH_MODE is a configuration error at start-up", () => {
    expect(() => guardianFor(file(undefined, undefined), { env: { HEXARCH_MODE: "loud" } })).toThrow(PolicyConfigError);
    expect(() => guardianFor(file(undefined, undefined), { env: { HEXARCH_MODE: "loud" } })).toThrow(
      /unknown mode "loud"[\s\S]*use strict, warn or off/,
    );
  });

  it("a shadow policy and a strict policy on the same call: the strict one decides, the shadow one is reported", async () => {
    const guardian = guardianFor(`
policies:
  - id: watching
    enforcement: warn
    rules:
      - operation: delete
  - id: asking
    rules:
      - operation: delete
        action: require_confirmation
`);
    const decision = await guardian.evaluate({ operation: "delete" });
    expect(decision.outcome).toBe("confirm");
    expect(decision.policyId).toBe("asking");
    expect(decision.warnings.map((w) => w.kind)).toEqual(["shadow"]);
  });

  it("a shadow rate limit reports the limit it would apply and keeps counting exactly", async () => {
    const guardian = guardianFor(`
enforcement: warn
policies:
  - id: limited
    rules:
      - requests_per_minute: 2
`);
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(await guardian.check("limited", { client: "c" }));
    expect(seen.map((d) => d.outcome)).toEqual(["allow", "allow", "warn", "warn"]);
    expect(seen[3]?.wouldBe).toBe("limit");
    expect(seen[3]?.counters[0]).toMatchObject({ used: 2, remaining: 0 });
  });
});

describe("shadow mode and counting", () => {
  it("counts a call that only a check would refuse, since it runs", async () => {
    const guardian = guardianFor(`
enforcement: warn
policies:
  - id: gated
    rules:
      - requests_per_minute: 5
        require_facts: [approved]
`);
    const decision = await guardian.check("gated", { client: "c" });
    expect(decision).toMatchObject({ outcome: "warn", wouldBe: "deny" });
    expect(decision.counters[0]?.used).toBe(1);
  });
});

describe("enabled: false", () => {
  const yaml = `
policies:
  - id: dormant
    enabled: false
    rules:
      - operation: delete
  - id: awake
    rules:
      - requests_per_minute: 1
`;

  it("skips the policy whether named or reached through evaluate()", async () => {
    const guardian = guardianFor(yaml);
    expect((await guardian.check("dormant", { operation: "delete" })).outcome).toBe("allow");
    expect((await guardian.evaluate({ operation: "delete", client: "c" })).outcome).toBe("allow");
    const entry = (await guardian.evaluate({ operation: "delete", client: "d" })).explain().find((e) => e.rule.policyId === "dormant");
    expect(entry).toMatchObject({ applied: false, why: "the policy is disabled (enabled: false)" });
  });

  it("is still a known policy id", () => {
    const guardian = guardianFor(yaml);
    expect(() => guardian.assertPolicy("dormant")).not.toThrow();
    expect(() => guardian.assertPolicy("missing")).toThrow(/no policy with id "missing"[\s\S]*use one of: dormant, awake/);
  });
});
