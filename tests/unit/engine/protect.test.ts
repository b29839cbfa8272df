// protect(): the seed's headline behaviours, sync and async functions, context from arguments, and refusals as PolicyViolation.
import { describe, expect, it, vi } from "vitest";
import { PolicyConfigError, PolicyViolation } from "../../../src/index.js";
import { PromiseOnlyStore, seedGuardian, useFakeTimersAt } from "./guardian-for.js";

useFakeTimersAt("2026-11-24T12:00:00Z");

describe("the seed's headline example", () => {
  it("protect('safe_delete', cleanupOldData)() rejects with PolicyViolation and cleanupOldData never runs", async () => {
    const guardian = seedGuardian("quickstart.yaml");
    let runs = 0;
    const cleanupOldData = (): string => {
      runs += 1;
      return "deleted";
    };
    const error = await guardian
      .protect("safe_delete", cleanupOldData)()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PolicyViolation);
    const violation = error as PolicyViolation;
    expect(violation.message).toBe("Policy 'safe_delete' requires confirmation: Require confirmation for destructive ops");
    expect(violation.code).toBe("HEXARCH_CONFIRM");
    expect(violation.decision.outcome).toBe("confirm");
    expect(runs).toBe(0);
  });

  it("runs once the caller states confirmation, as the seed's context={'confirm': True}", async () => {
    const guardian = seedGuardian("quickstart.yaml");
    const cleanup = guardian.protect("safe_delete", (days: number) => `deleted rows older than ${days} days`, {
      context: { confirm: true },
    });
    await expect(cleanup(30)).resolves.toBe("deleted rows older than 30 days");
  });

  it("protect('rate_limit', fn) lets 100 calls a minute through and rejects the 101st", async () => {
    const guardian = seedGuardian("quickstart.yaml");
    let runs = 0;
    const send = guardian.protect("rate_limit", async (message: string) => {
      runs += 1;
      return message.length;
    });
    for (let i = 0; i < 100; i++) await send("hello");
    const error = await send("hello").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PolicyViolation);
    expect((error as PolicyViolation).decision.outcome).toBe("limit");
    expect((error as PolicyViolation).decision.retryAfter).toBe(60);
    expect(runs).toBe(100);
    vi.advanceTimersByTime(60_000);
    await expect(send("again")).resolves.toBe(5);
  });
});

describe("protect()", () => {
  it("keeps the function's parameters and result for sync and async functions, and passes its errors through", async () => {
    const guardian = seedGuardian("quickstart.yaml");
    const add = guardian.protect("rate_limit", (a: number, b: number) => a + b);
    const later = guardian.protect("rate_limit", async (text: string) => text.toUpperCase());
    const failing = guardian.protect("rate_limit", () => {
      throw new Error("boom");
    });
    await expect(add(2, 3)).resolves.toBe(5);
    await expect(later("ok")).resolves.toBe("OK");
    await expect(failing()).rejects.toThrow("boom");
  });

  it("waits for a thenable result and works on a store that answers with promises", async () => {
    const guardian = seedGuardian("quickstart.yaml", { store: new PromiseOnlyStore() });
    const thenable = { then: (resolve: (value: string) => void) => resolve("later") };
    await expect(guardian.protect("rate_limit", () => thenable)()).resolves.toBe("later");
    await expect(guardian.protect("safe_delete", () => "never")()).rejects.toBeInstanceOf(PolicyViolation);
  });

  it("computes the context from the arguments on every call", async () => {
    const guardian = seedGuardian("quickstart.yaml");
    const remove = guardian.protect("safe_delete", (id: string, _confirmed: boolean) => `removed ${id}`, {
      context: (_id, confirmed) => ({ confirm: confirmed }),
    });
    await expect(remove("a", false)).rejects.toBeInstanceOf(PolicyViolation);
    await expect(remove("a", true)).resolves.toBe("removed a");
  });

  it("refuses an unknown policy id when protecting, not when calling", () => {
    const guardian = seedGuardian("quickstart.yaml");
    expect(() => guardian.protect("safe_delet", () => 1)).toThrow(PolicyConfigError);
  });
});
