// Tests for discoverPolicyFile: explicit option, environment variable, upward search and the not-found message.
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it, expect } from "vitest";
import { discoverPolicyFile } from "../../../src/engine/config/discover.js";
import { PolicyConfigError } from "../../../src/errors/config-error.js";

/** A fresh temporary tree: root/hexarch.yaml, root/app/hexarch.yml, root/app/src (no file), root/explicit.yaml. */
function makeTree(): { root: string; app: string; src: string } {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "hexarch-discover-")));
  const app = join(root, "app");
  const src = join(app, "src");
  mkdirSync(src, { recursive: true });
  writeFileSync(join(root, "hexarch.yaml"), "policies: []\n");
  writeFileSync(join(app, "hexarch.yml"), "policies: []\n");
  writeFileSync(join(root, "explicit.yaml"), "policies: []\n");
  return { root, app, src };
}

/** Runs `action` and returns the PolicyConfigError it throws. */
function configErrorOf(action: () => unknown): PolicyConfigError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyConfigError);
    return error as PolicyConfigError;
  }
  throw new Error("expected a PolicyConfigError");
}

describe("discoverPolicyFile", () => {
  it("prefers the explicit policyFile over the environment and the folder tree", () => {
    const { root, src } = makeTree();
    const env = { HEXARCH_POLICY_FILE: join(root, "hexarch.yaml") };
    expect(discoverPolicyFile({ policyFile: "../../explicit.yaml", cwd: src, env })).toBe(join(root, "explicit.yaml"));
  });

  it("uses HEXARCH_POLICY_FILE when no explicit file is given", () => {
    const { root, src } = makeTree();
    expect(discoverPolicyFile({ cwd: src, env: { HEXARCH_POLICY_FILE: join(root, "explicit.yaml") } })).toBe(join(root, "explicit.yaml"));
  });

  it("walks up from cwd and stops at the nearest folder with a policy file", () => {
    const { app, src } = makeTree();
    expect(discoverPolicyFile({ cwd: src, env: {} })).toBe(join(app, "hexarch.yml"));
  });

  it("prefers hexarch.yaml over hexarch.yml in the same folder", () => {
    const { app, src } = makeTree();
    writeFileSync(join(app, "hexarch.yaml"), "policies: []\n");
    expect(discoverPolicyFile({ cwd: src, env: {} })).toBe(join(app, "hexarch.yaml"));
  });

  it("names an explicit path that does not exist", () => {
    const { src } = makeTree();
    const error = configErrorOf(() => discoverPolicyFile({ policyFile: "missing.yaml", cwd: src, env: {} }));
    expect(error.problems[0]?.message).toContain(join(src, "missing.yaml"));
    expect(error.problems[0]?.message).toContain("does not exist");
  });

  it("names an environment path that does not exist", () => {
    const { src } = makeTree();
    const error = configErrorOf(() => discoverPolicyFile({ cwd: src, env: { HEXARCH_POLICY_FILE: "/nowhere/hexarch.yaml" } }));
    expect(error.problems[0]?.message).toContain("/nowhere/hexarch.yaml");
    expect(error.problems[0]?.message).toContain("HEXARCH_POLICY_FILE");
  });

  it("lists every folder searched and how to create a file when nothing is found", () => {
    const empty = realpathSync(mkdtempSync(join(tmpdir(), "hexarch-empty-")));
    const deep = join(empty, "a", "b");
    mkdirSync(deep, { recursive: true });
    const error = configErrorOf(() => discoverPolicyFile({ cwd: deep, env: {} }));
    const problem = error.problems[0];
    for (const folder of [deep, join(empty, "a"), empty, "/"]) expect(problem?.message).toContain(`      ${folder}`);
    expect(problem?.fix).toBe("create one with `npx hexarch-guardrails init`, or pass `policyFile` / set HEXARCH_POLICY_FILE");
  });
});
