// The policy file is found and validated once per server process and shared by every route; the Edge runtime gets a clear error.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PolicyConfigError } from "../../../src/errors/config-error.js";
import { withHexarch as edgeWithHexarch } from "../../../src/adapters/next/edge.js";
import { call, countingHandler, perMinute, QUICK_START, SECRET, thrownBy } from "./route.js";

type NextAdapter = typeof import("../../../src/adapters/next.js");

/** A fresh copy of the adapter, as a new server process would load it, reading policies from `text`. */
async function freshAdapter(text: string): Promise<{ adapter: NextAdapter; file: string; ConfigError: typeof PolicyConfigError }> {
  vi.resetModules();
  const file = join(mkdtempSync(join(tmpdir(), "hexarch-next-")), "hexarch.yaml");
  writeFileSync(file, text);
  vi.stubEnv("HEXARCH_POLICY_FILE", file);
  vi.stubEnv("HEXARCH_SECRET", SECRET);
  const adapter = await import("../../../src/adapters/next.js");
  const { PolicyConfigError: ConfigError } = await import("../../../src/errors/config-error.js");
  return { adapter, file, ConfigError };
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
});

describe("the policy file, once per server", () => {
  it("every route shares one guardian: its counters and its confirmation tokens", async () => {
    const { adapter, file } = await freshAdapter(
      `${perMinute(2)}  - id: safe_delete\n    rules:\n      - operation: delete\n        action: require_confirmation\n`,
    );
    const users = adapter.withHexarch(countingHandler().handler);
    writeFileSync(file, perMinute(1000));
    const orders = adapter.withHexarch(countingHandler().handler);
    expect([(await call(users, "/users")).status, (await call(orders, "/orders")).status, (await call(users, "/users")).status]).toEqual([
      200, 200, 429,
    ]);
    const remove = adapter.withHexarch(countingHandler().handler, { policy: "safe_delete" });
    const first = await call(remove, "/users/1", { method: "DELETE" });
    const { confirm } = (await first.json()) as { confirm: { token: string } };
    expect((await call(remove, "/users/1", { method: "DELETE", headers: { "hexarch-confirm": confirm.token } })).status).toBe(200);
  });

  it("a broken file throws a located PolicyConfigError at withHexarch(), and the same error for later routes without re-reading", async () => {
    const { adapter, file, ConfigError } = await freshAdapter("policies:\n  - id: x\n    rules:\n      - requests_per_minite: 5\n");
    const first = thrownBy(() => adapter.withHexarch(countingHandler().handler));
    expect(first).toBeInstanceOf(ConfigError);
    expect((first as PolicyConfigError).problems[0]).toMatchObject({ line: 4, fix: 'did you mean "requests_per_minute"?' });
    writeFileSync(file, QUICK_START);
    expect(thrownBy(() => adapter.withHexarch(countingHandler().handler))).toBe(first);
  });

  it("a route given its own guardian never loads the discovered file", async () => {
    const { adapter } = await freshAdapter("not: [valid");
    const { createGuardian } = await import("../../../src/guardian/create-guardian.js");
    const route = adapter.withHexarch(countingHandler().handler, { guardian: createGuardian({ policyText: perMinute(5) }) });
    expect((await call(route, "/")).status).toBe(200);
  });
});

describe("the Edge runtime", () => {
  it("withHexarch refuses to run there with a PolicyConfigError asking for the Node.js runtime", async () => {
    const { adapter, ConfigError } = await freshAdapter(QUICK_START);
    vi.stubGlobal("EdgeRuntime", "edge-runtime");
    const error = thrownBy(() => adapter.withHexarch(countingHandler().handler, { policy: "safe_delete" }));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as PolicyConfigError).problems[0]).toMatchObject({
      path: 'withHexarch({ policy: "safe_delete" })',
      fix: expect.stringContaining('export const runtime = "nodejs"'),
    });
  });

  it("the edge-light build of hexarch-guardrails/next throws the same error without loading anything Node-only", () => {
    const error = thrownBy(() => edgeWithHexarch(countingHandler().handler));
    expect(error).toBeInstanceOf(PolicyConfigError);
    expect((error as PolicyConfigError).message).toContain("withHexarch() cannot run on the Edge runtime");
    expect((error as PolicyConfigError).problems[0]?.message).toContain("node:crypto");
  });
});
