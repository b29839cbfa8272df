// RateLimit and RateLimit-Policy per algorithm: r is what would be admitted now, t the seconds until the quota is whole again.
import { expect, it } from "vitest";
import { decisionHeaders, DEFAULT_HEADERS, standardRateLimitHeaders } from "../../../src/adapters/core/index.js";
import { createGuardian, MemoryStore } from "../../../src/index.js";

const T0 = Date.UTC(2026, 11, 3, 16, 30);

function stepped(rule: string) {
  let now = T0;
  const clock = (): number => now;
  const guardian = createGuardian({
    policyText: `policies:\n  - id: api\n    rules:\n      - ${rule}\n`,
    store: new MemoryStore({ clock }),
    clock,
    env: {},
  });
  return { guardian, at: (ms: number) => void (now = T0 + ms) };
}

it("fixed window: r counts down to the window's end, t is the seconds left in it", async () => {
  const { guardian, at } = stepped("requests_per_minute: 10");
  await guardian.evaluate({ client: "c" });
  at(20_000);
  const decision = await guardian.evaluate({ client: "c" });
  expect(standardRateLimitHeaders(decision, T0 + 20_000)).toEqual({ "RateLimit-Policy": '"api";q=10;w=60', RateLimit: '"api";r=8;t=40' });
});

it("sliding window: r is the calls the last minute leaves room for, t the seconds until the newest call leaves", async () => {
  const { guardian, at } = stepped("{ requests_per_minute: 10, algorithm: sliding_window }");
  for (let i = 0; i < 3; i++) await guardian.evaluate({ client: "c" });
  at(20_000);
  const decision = await guardian.evaluate({ client: "c" });
  expect(standardRateLimitHeaders(decision, T0 + 20_000)).toEqual({ "RateLimit-Policy": '"api";q=10;w=60', RateLimit: '"api";r=6;t=60' });
});

it("token bucket: r is the tokens in the bucket, t the seconds until it is full; Retry-After the next token", async () => {
  const { guardian } = stepped("{ requests_per_minute: 60, algorithm: token_bucket, burst: 10 }");
  for (let i = 0; i < 3; i++) await guardian.evaluate({ client: "c" });
  expect(standardRateLimitHeaders(await guardian.evaluate({ client: "c" }), T0)).toEqual({
    "RateLimit-Policy": '"api";q=60;w=60',
    RateLimit: '"api";r=6;t=4',
  });
  for (let i = 0; i < 6; i++) await guardian.evaluate({ client: "c" });
  const refused = await guardian.evaluate({ client: "c" });
  expect(decisionHeaders(refused, DEFAULT_HEADERS, T0)).toMatchObject({ RateLimit: '"api";r=0;t=10', "Retry-After": "1" });
});
