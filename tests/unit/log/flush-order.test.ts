// flush() writes what was queued before it, even while an earlier write is still under way.
import { describe, expect, it } from "vitest";
import { createGuardian } from "../../../src/index.js";
import type { SealedBatch } from "../../../src/log/chain.js";
import { Chain } from "../../../src/log/chain.js";
import { DecisionLog } from "../../../src/log/decision-log.js";
import { logMac } from "../../../src/log/mac.js";
import type { LogSink } from "../../../src/log/sink.js";
import { SILENT_LOGGER } from "../../../src/errors/warnings.js";

/** A sink whose appends wait until `release()`: a write stays under way as long as the test wants. */
function heldSink(): LogSink & { lines: string[]; release(): void; appends: number } {
  let open: () => void = () => undefined;
  let gate = new Promise<void>((resolve) => (open = resolve));
  const sink = {
    name: "held",
    lines: [] as string[],
    appends: 0,
    release() {
      open();
      gate = new Promise<void>((resolve) => (open = resolve));
    },
    rotateIfFull: () => Promise.resolve(false),
    async append(batch: SealedBatch) {
      sink.appends += 1;
      await gate;
      sink.lines.push(...batch.lines);
    },
    appendCheckpoint: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  return sink;
}

describe("DecisionLog.flush", () => {
  it("does not resolve before a decision queued during an earlier write is written (a read after flush misses nothing)", async () => {
    const sink = heldSink();
    const log = new DecisionLog({
      sink,
      chain: new Chain(logMac(undefined), { instance: "test", policyFile: "inline", policyDigest: "0" }),
      level: "info",
      shape: { redact: new Set(), hide: undefined, explain: false, policyFile: "inline" },
      environment: "test",
      required: false,
      checkpointEvery: 1000,
      checkpointMs: 60_000,
      buffer: 100,
      logger: SILENT_LOGGER,
    });
    const guardian = createGuardian({
      policyText: "policies:\n  - id: open\n    rules:\n      - resource: '*'\n        requests_per_minute: 100\n",
      env: {},
    });
    const decide = async (): Promise<void> =>
      void log.record(await guardian.evaluate({ resource: "x" }), { resource: "x" }, `id-${sink.appends}`);

    await decide();
    const first = log.flush();
    await new Promise((resolve) => setImmediate(resolve));
    expect(sink.appends).toBe(1);
    await decide();
    let secondDone = false;
    const second = log.flush().then(() => (secondDone = true));
    sink.release();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    expect(secondDone).toBe(false);
    sink.release();
    await second;
    expect(sink.lines.filter((line) => line.includes('"type":"decision"'))).toHaveLength(2);
    await log.close();
  });
});
