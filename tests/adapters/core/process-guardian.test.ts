// The process-wide guardian's stated lifetime: set by the app or filled by the first adapter, emptied by close().
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { guard as expressGuard, hexarch as expressHexarch } from "../../../src/adapters/express.js";
import { guard as koaGuard } from "../../../src/adapters/koa.js";
import { createFetchGuard } from "../../../src/adapters/fetch.js";
import { withHexarch } from "../../../src/adapters/next.js";
import { PolicyConfigError } from "../../../src/errors/config-error.js";
import type { Guardian } from "../../../src/guardian/create-guardian.js";
import { processGuardian } from "../../../src/guardian/process-guardian.js";
import { appWith, guardianFor, perMinute, QUICK_START, SECRET } from "../express/app.js";
import { koaAppWith } from "../koa/app.js";

/** Points discovery at a policy file of its own with `text`. */
function discovered(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "hexarch-process-")), "hexarch.yaml");
  writeFileSync(file, text);
  vi.stubEnv("HEXARCH_POLICY_FILE", file);
  return file;
}

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

// Other test files of this worker may have filled the slot: each test starts empty and leaves it as it found it.
let before: Guardian | undefined;
beforeEach(() => {
  before = processGuardian();
  processGuardian.set(guardianFor());
  return processGuardian.close();
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await processGuardian.close();
  if (before !== undefined) processGuardian.set(before);
});

describe("processGuardian", () => {
  it("a guardian the app sets is the one every adapter without a guardian option uses", async () => {
    const guardian = guardianFor("policies:\n  - id: shared\n    rules:\n      - requests_per_minute: 2\n        key: global\n");
    processGuardian.set(guardian);
    expect(expressHexarch({ secret: SECRET }).guardian).toBe(guardian);
    expect(createFetchGuard({ secret: SECRET }).guardian).toBe(guardian);
    // One guardian, one counter: a bare Express guard() and a Next route take the two requests it allows between them.
    const { app } = appWith(expressGuard("shared"));
    const route = withHexarch(() => new Response("ok"), { policy: "shared", clientKey: () => "one" });
    const nextStatus = async (): Promise<number> => (await route(new Request("http://app.test/"), { params: Promise.resolve({}) })).status;
    expect([(await request(app).get("/")).status, await nextStatus(), (await request(app).get("/")).status]).toEqual([200, 200, 429]);
  });

  it("the first adapter fills it from the discovered policy file, and close() empties it for a fresh one", async () => {
    discovered(perMinute(1));
    const first = expressHexarch({ secret: SECRET }).guardian;
    expect(processGuardian()).toBe(first);
    expect(expressHexarch({ secret: SECRET }).guardian).toBe(first);
    await first.close();
    expect(processGuardian()).toBeUndefined();
    const fresh = expressHexarch({ secret: SECRET }).guardian;
    expect(fresh).not.toBe(first);
    expect(processGuardian()).toBe(fresh);
    const { app } = appWith(expressGuard("per_minute"));
    expect([(await request(app).get("/")).status, (await request(app).get("/")).status]).toEqual([200, 429]);
  });

  it("the first hexarch() given its own guardian fills it; a later one does not replace it", () => {
    const mine = guardianFor();
    expressHexarch({ guardian: mine, secret: SECRET });
    expressHexarch({ guardian: guardianFor(), secret: SECRET });
    expect(processGuardian()).toBe(mine);
  });

  it("a bare guard() inherits the options of its own adapter's hexarch() only", async () => {
    processGuardian.set(guardianFor(QUICK_START));
    expressHexarch({ secret: SECRET, headers: false });
    const express = appWith(expressGuard("rate_limit")).app;
    expect((await request(express).get("/")).headers["ratelimit"]).toBeUndefined();
    const koa = koaAppWith(koaGuard("rate_limit")).app;
    expect((await request(koa.callback()).get("/")).headers["ratelimit"]).toMatch(/^"rate_limit";/);
  });

  it("a broken discovered file throws the same error for every later adapter until set() or close()", async () => {
    const file = discovered("policies:\n  - id: x\n    rules:\n      - requests_per_minite: 5\n");
    const first = thrownBy(() => expressHexarch());
    expect(first).toBeInstanceOf(PolicyConfigError);
    writeFileSync(file, QUICK_START);
    expect(thrownBy(() => expressGuard("safe_delete"))).toBe(first);
    expect(thrownBy(() => createFetchGuard())).toBe(first);
    await processGuardian.close();
    expect(expressHexarch().guardian.policies.policies.has("safe_delete")).toBe(true);
  });
});
