// A failing counter store: fail-closed policies answer `error` with Retry-After, fail-open ones allow, warn and log.
import { describe, expect, it } from "vitest";
import { MemoryStore, type CounterOp, type CounterReading, type CounterStore, type Logger } from "../../../src/index.js";
import { guardianFor } from "./guardian-for.js";

/** A store whose every counter operation fails, the way a lost connection does. */
class BrokenStore implements CounterStore {
  readonly name = "broken";
  readonly failSynchronously: boolean;
  constructor(failSynchronously = false) {
    this.failSynchronously = failSynchronously;
  }
  #fail(): never {
    throw new Error("connection refused");
  }
  consume(_ops: readonly CounterOp[]): Promise<readonly CounterReading[]> {
    if (this.failSynchronously) this.#fail();
    return Promise.reject(new Error("connection refused"));
  }
  refund(): Promise<void> {
    return Promise.reject(new Error("connection refused"));
  }
  peek(): Promise<CounterReading | undefined> {
    return Promise.reject(new Error("connection refused"));
  }
  set(): Promise<void> {
    return Promise.reject(new Error("connection refused"));
  }
  claimOnce(): Promise<boolean> {
    return Promise.reject(new Error("connection refused"));
  }
}

/** A working memory store whose refunds fail, answered synchronously or as a promise. */
class NoRefundStore extends MemoryStore {
  override readonly refundSync: MemoryStore["refundSync"];
  constructor(synchronous: boolean) {
    super();
    this.refundSync = synchronous
      ? () => {
          throw new Error("refund lost");
        }
      : undefined;
  }
  override refund(): Promise<void> {
    return Promise.reject(new Error("refund lost"));
  }
}

/** A logger that keeps what it was told. */
function recordingLogger(): Logger & { lines: { level: string; object: Record<string, unknown>; message: string }[] } {
  const lines: { level: string; object: Record<string, unknown>; message: string }[] = [];
  const record = (level: string) => (object: Record<string, unknown>, message: string) => void lines.push({ level, object, message });
  return { lines, info: record("info"), warn: record("warn"), error: record("error") };
}

function policy(fail: "open" | "closed", enforcement = "strict"): string {
  return `
policies:
  - id: limited
    fail: ${fail}
    enforcement: ${enforcement}
    rules:
      - requests_per_minute: 10
`;
}

describe("store failures", () => {
  it.each([false, true])("fail closed (the default) answers error with the store Retry-After (synchronous throw: %s)", async (sync) => {
    const guardian = guardianFor(policy("closed"), { store: new BrokenStore(sync), storeRetryAfter: 7 });
    const decision = await guardian.check("limited", { client: "c" });
    expect(decision.outcome).toBe("error");
    expect(decision.kind).toBe("store");
    expect(decision.retryAfter).toBe(7);
    expect(decision.isDenied()).toBe(true);
    expect(decision.reason).toBe("Policy 'limited' could not be checked: counter store broken failed: connection refused");
    expect(decision.explain()[0]?.why).toContain("counter store broken failed");
  });

  it("fail open lets the call through with a store warning and logs the failure", async () => {
    const logger = recordingLogger();
    const guardian = guardianFor(policy("open"), { store: new BrokenStore(), logger });
    const decision = await guardian.check("limited", { client: "c" });
    expect(decision.outcome).toBe("warn");
    expect(decision.warnings).toEqual([
      { kind: "store", message: "counter store broken failed: connection refused; allowed because the policies fail open" },
    ]);
    const errorLine = logger.lines.find((line) => line.level === "error");
    expect(errorLine?.message).toBe("hexarch: counter store failed");
    expect(errorLine?.object["store"]).toBe("broken");
    expect((errorLine?.object["err"] as Error).message).toBe("connection refused");
  });

  it("a fail-closed policy in shadow mode reports the error it would give and lets the call through", async () => {
    const guardian = guardianFor(policy("closed", "warn"), { store: new BrokenStore() });
    const decision = await guardian.check("limited", { client: "c" });
    expect(decision.outcome).toBe("warn");
    expect(decision.wouldBe).toBe("error");
  });

  it("protect rejects with PolicyViolation code HEXARCH_ERROR and does not run the function", async () => {
    const guardian = guardianFor(policy("closed"), { store: new BrokenStore() });
    let ran = false;
    await expect(guardian.protect("limited", () => (ran = true))()).rejects.toMatchObject({ code: "HEXARCH_ERROR" });
    expect(ran).toBe(false);
  });

  it.each([true, false])("a lost refund is logged and the decision still stands (synchronous store: %s)", async (synchronous) => {
    const logger = recordingLogger();
    const guardian = guardianFor(policy("closed").replace("10", "1"), { store: new NoRefundStore(synchronous), logger });
    await guardian.check("limited", { client: "c" });
    const refused = await guardian.check("limited", { client: "c" });
    expect(refused.outcome).toBe("limit");
    expect(logger.lines.some((line) => line.level === "error" && (line.object["err"] as Error).message === "refund lost")).toBe(true);
  });
});
