// What one refusal costs in process: a 429 decision, a 428 decision with its token signed, a body digested.
import { bodyDigest } from "../src/adapters/core/body-digest.js";
import { ConfirmTokens } from "../src/adapters/core/confirm-token.js";
import { createGuardian, MemoryStore } from "../src/index.js";

/** Rounds per measurement; the median is reported, so one round slowed by the shared machine does not decide. */
const ROUNDS = 5;
const ROUND_MS = 200;

/** Median nanoseconds per call of `run`, over ROUNDS rounds of about ROUND_MS each, after one warm-up round. */
function measure(run: () => unknown): number {
  const perCall: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    let calls = 0;
    const start = process.hrtime.bigint();
    const until = start + BigInt(ROUND_MS * 1_000_000);
    let now = start;
    while (now < until) {
      for (let i = 0; i < 100; i++) run();
      calls += 100;
      now = process.hrtime.bigint();
    }
    if (round > 0) perCall.push(Number(now - start) / calls);
  }
  perCall.sort((a, b) => a - b);
  return perCall[Math.floor(perCall.length / 2)] as number;
}

function jsonBody(bytes: number): Record<string, unknown> {
  const items: Record<string, unknown>[] = [];
  while (JSON.stringify(items).length < bytes)
    items.push({ id: items.length, name: `item ${items.length}`, amount: items.length * 3.5, tags: ["a", "b"] });
  return { items };
}

const policies = createGuardian({
  env: {},
  policies: [
    { id: "tight", rules: [{ operation: "read", requests_per_minute: 1 }] },
    { id: "confirm", rules: [{ operation: "delete", action: "require_confirmation" }] },
  ],
});
void policies.decideNow({ operation: "read", client: "c" });
const tokens = new ConfirmTokens({
  secret: "bench-secret-0123456789abcdef",
  ttlMs: 300_000,
  store: new MemoryStore(),
  keyPrefix: "hexarch:confirm:",
});
const small = jsonBody(1_024);
const large = jsonBody(64 * 1_024);
const digest = bodyDigest(small);
if (typeof digest !== "string") throw new Error(`the bench body cannot be bound: ${digest.reason}`);
const binding = { method: "DELETE", target: "/accounts/1", bodyDigest: digest, client: "203.0.113.9" };

const figures: [string, number][] = [
  ["429 decision (memory store, over the limit)", measure(() => policies.decideNow({ operation: "read", client: "c" }))],
  ["428 decision (confirmation required)", measure(() => policies.decideNow({ operation: "delete", client: "c" }))],
  ["token signed (HMAC-SHA256, 16 random bytes)", measure(() => tokens.issue(binding, ["confirm"]))],
  ["body digest, parsed JSON of 1 KiB", measure(() => bodyDigest(small))],
  ["body digest, parsed JSON of 64 KiB", measure(() => bodyDigest(large))],
];
for (const [name, ns] of figures) console.log(`${name.padEnd(48)} ${(ns / 1000).toFixed(2).padStart(9)} µs`);
