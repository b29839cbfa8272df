// Option checks follow the option types (SpecOf + satisfies): what the types accept, hexarch() accepts at start-up.
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hexarch } from "../../../src/adapters/express.js";

const SECRET = "option-spec-secret-0123456789";

describe("option specs", () => {
  it("do not refuse decisionLog: false, which GuardianOptions (and so hexarch()'s type) accepts", () => {
    const cwd = mkdtempSync(join(tmpdir(), "hexarch-options-"));
    const policyText = "policies:\n  - id: api\n    rules:\n      - requests_per_minute: 5\nlogging:\n  file: decisions.log\n";
    expect(() => hexarch({ policyText, cwd, secret: SECRET, decisionLog: false })).not.toThrow();
    expect(existsSync(join(cwd, "decisions.log"))).toBe(false);
  });
});
