// Bytes of process memory per live counter key in MemoryStore, for each rate algorithm, at a stated limit.
import { MemoryStore, type CounterOp } from "../../src/index.js";

const KEYS = Number(process.env["BENCH_KEYS"] ?? 20_000);
/** The limit per window: every key takes this many calls, so a sliding window's log is full. */
const LIMIT = Number(process.env["BENCH_LIMIT"] ?? 100);
const WINDOW_MS = 60_000;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with node --expose-gc (npm run bench:memory does)");

function heapAfterGc(): number {
  (gc as () => void)();
  (gc as () => void)();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  // A sliding window's instants sit in a Float64Array, whose bytes are counted outside the heap.
  return heapUsed + arrayBuffers;
}

/** One key's ops under an algorithm: a fixed window counts, the others admit up to the limit. */
function opFor(key: string, algorithm: string): CounterOp {
  if (algorithm === "fixed_window") return { key, points: 1, windowMs: WINDOW_MS };
  const rate =
    algorithm === "sliding_window"
      ? ({ algorithm, limit: LIMIT, burst: LIMIT } as const)
      : ({ algorithm: "token_bucket", limit: LIMIT, burst: LIMIT } as const);
  return { key, points: 1, windowMs: WINDOW_MS, rate };
}

console.log(
  `MemoryStore, ${KEYS} live keys, ${LIMIT} calls each (the limit) in one ${WINDOW_MS / 1000} s window; bytes per key include the key string (~${`hexarch:api:0:0:sw:198.51.100.${KEYS}`.length} characters)`,
);
const now = Date.UTC(2026, 11, 3, 12);
for (const algorithm of ["fixed_window", "sliding_window", "token_bucket"]) {
  const keys = Array.from({ length: KEYS }, (_, i) => `hexarch:api:0:0:sw:198.51.${(i >> 8) & 255}.${i & 255}:${i}`);
  const store = new MemoryStore({ clock: () => now });
  const before = heapAfterGc();
  for (const key of keys) {
    const op = opFor(key, algorithm);
    for (let call = 0; call < LIMIT; call++) store.consumeSync?.([op], now + call);
  }
  const bytes = (heapAfterGc() - before) / KEYS;
  console.log(`  ${algorithm.padEnd(15)} ${bytes.toFixed(0).padStart(6)} bytes per key`);
  await store.close();
  keys.length = 0;
}
