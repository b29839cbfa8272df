// The framework-free pieces of the HTTP contract: answers, headers, client keys, body digests and tokens.
import { describe, expect, it } from "vitest";
import { Decision, type CounterReport } from "../../../src/engine/decision.js";
import { MemoryStore } from "../../../src/stores/memory.js";
import { ServerResponse, IncomingMessage } from "node:http";
import { Socket } from "node:net";
import {
  answerFor,
  bodyDigest,
  clientKeyForAddress,
  ConfirmTokens,
  DEFAULT_HEADERS,
  decisionHeaders,
  NO_HEADERS,
  setAnswerHeaders,
} from "../../../src/adapters/core/index.js";
import { MAX_BOUND_BODY } from "../../../src/adapters/core/body-digest.js";

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const rule = (policyId: string, index = 0) => ({ policyId, index, summary: `${policyId} rule ${index}` });

function counter(policyId: string, overrides: Partial<CounterReport> = {}): CounterReport {
  return {
    rule: rule(policyId),
    kind: "rate",
    window: "1m",
    windowSeconds: 60,
    limit: 10,
    used: 4,
    remaining: 6,
    resetAt: NOW + 30_000,
    partition: "1.2.3.4",
    warnAt: undefined,
    ...overrides,
  };
}

describe("answerFor", () => {
  it("maps each refusing outcome to its status and problem type", () => {
    const cases = [
      ["confirm", undefined, 428, "confirmation-required"],
      ["limit", "rate", 429, "rate-limited"],
      ["limit", "budget", 429, "budget-exhausted"],
      ["deny", "time", 403, "forbidden-by-policy"],
      ["error", "store", 503, "policy-unavailable"],
    ] as const;
    for (const [outcome, kind, status, type] of cases) {
      const answer = answerFor(new Decision({ outcome, kind, reason: "why", rule: rule("p") }), { now: NOW });
      expect(answer).toMatchObject({
        proceed: false,
        status,
        body: { status, type: `urn:hexarch:problem:${type}`, detail: "why", policy: "p", outcome },
      });
      expect(answer.headers["Content-Type"]).toBe("application/problem+json");
    }
  });

  it("lets allow and warn proceed without a body", () => {
    for (const outcome of ["allow", "warn"] as const) {
      expect(answerFor(new Decision({ outcome, reason: "ok" }), { now: NOW })).toEqual({
        proceed: true,
        status: undefined,
        headers: {},
        body: undefined,
      });
    }
  });

  it("is a pure function: the same decision gives equal answers", () => {
    const decision = new Decision({
      outcome: "limit",
      kind: "rate",
      reason: "r",
      rule: rule("p"),
      retryAfter: 12.2,
      counters: [counter("p", { used: 10, remaining: 0 })],
    });
    expect(answerFor(decision, { now: NOW })).toEqual(answerFor(decision, { now: NOW }));
    expect(answerFor(decision, { now: NOW }).headers["Retry-After"]).toBe("13");
  });

  it("takes another problem type base", () => {
    const answer = answerFor(new Decision({ outcome: "deny", reason: "no" }), { problemTypeBase: "https://errors.example.com/" });
    expect(answer.body?.type).toBe("https://errors.example.com/forbidden-by-policy");
  });
});

describe("decision headers", () => {
  it("names each counter after its policy, and after its rule and window when a policy has several", () => {
    const decision = new Decision({
      outcome: "allow",
      reason: "ok",
      counters: [
        counter("a"),
        counter("b", { rule: rule("b", 0) }),
        counter("b", { rule: rule("b", 1), window: "1h", windowSeconds: 3600, limit: 100, remaining: 96 }),
      ],
    });
    expect(decisionHeaders(decision, DEFAULT_HEADERS, NOW)).toEqual({
      "RateLimit-Policy": '"a";q=10;w=60, "b.0.1m";q=10;w=60, "b.1.1h";q=100;w=3600',
      RateLimit: '"a";r=6;t=30, "b.0.1m";r=6;t=30, "b.1.1h";r=96;t=30',
    });
  });

  it("legacy headers follow the counter with the fewest calls left", () => {
    const decision = new Decision({ outcome: "allow", reason: "ok", counters: [counter("a"), counter("b", { remaining: 2 })] });
    expect(decisionHeaders(decision, { ...NO_HEADERS, legacy: true }, NOW)).toEqual({
      "X-RateLimit-Limit": "10",
      "X-RateLimit-Remaining": "2",
      "X-RateLimit-Reset": String(Math.ceil((NOW + 30_000) / 1000)),
    });
  });

  it("budget warnings round to three decimals and only appear past the threshold", () => {
    const budget = (used: number) =>
      counter("spend", { kind: "budget", window: "month", limit: 10, used, remaining: 10 - used, warnAt: 0.8, resetAt: NOW + 86_400_000 });
    expect(decisionHeaders(new Decision({ outcome: "warn", reason: "w", counters: [budget(8.12345)] }), DEFAULT_HEADERS, NOW)).toEqual({
      "Hexarch-Budget-Warning": '"spend";spent=8.123;limit=10;reset=86400',
    });
    expect(decisionHeaders(new Decision({ outcome: "allow", reason: "ok", counters: [budget(7.9)] }), DEFAULT_HEADERS, NOW)).toEqual({});
  });
});

describe("setAnswerHeaders", () => {
  it("sets each field on a Node response under its lower-case wire name, values unchanged", () => {
    const res = new ServerResponse(new IncomingMessage(new Socket()));
    const headers = { "RateLimit-Policy": '"p";q=10;w=60', RateLimit: '"p";r=6;t=30', "Retry-After": "30", "X-Custom": "kept" };
    setAnswerHeaders(res, headers);
    expect(res.getHeaderNames()).toEqual(["ratelimit-policy", "ratelimit", "retry-after", "x-custom"]);
    expect(res.getHeader("RateLimit")).toBe('"p";r=6;t=30');
    const raw = (res as unknown as { getRawHeaderNames(): string[] }).getRawHeaderNames();
    expect(raw).toEqual(["ratelimit-policy", "ratelimit", "retry-after", "X-Custom"]);
  });
});

describe("clientKeyForAddress", () => {
  it.each([
    ["203.0.113.9", 64, "203.0.113.9"],
    ["::ffff:203.0.113.9", 64, "203.0.113.9"],
    ["2001:db8:1:2:aaaa:bbbb:cccc:dddd", 64, "2001:db8:1:2::/64"],
    ["2001:db8:1:2:aaaa::1", 48, "2001:db8:1::/48"],
    ["2001:db8::1", 128, "2001:db8:0:0:0:0:0:1"],
    ["fe80::1%eth0", 64, "fe80::/64"],
    ["not an address", 64, "not an address"],
    ["10.0.0.7", 64, "10.0.0.7"],
    ["::1.2.3.4", 64, "1.2.3.4"],
    ["1::1.2.3.4", 64, "1::/64"],
    ["2001:db8::1.2.3.4", 64, "2001:db8::/64"],
    ["203.0.113.9:5555", 64, "203.0.113.9"],
    ["[::ffff:203.0.113.9]", 64, "203.0.113.9"],
    ["[::ffff:203.0.113.9]:443", 64, "203.0.113.9"],
    ["::ffff:cb00:7109", 64, "203.0.113.9"],
    ["[2001:db8::7]:443", 64, "2001:db8::/64"],
    ["[fe80::1%eth0]:80", 64, "fe80::/64"],
    ["203.0.113.09", 64, "203.0.113.09"],
    ["203.0.113.9:99999", 64, "203.0.113.9:99999"],
    ["[2001:db8::7]x", 64, "[2001:db8::7]x"],
  ])("%s with /%i → %s", (address, prefix, key) => {
    expect(clientKeyForAddress(address, prefix)).toBe(key);
  });
});

describe("bodyDigest", () => {
  it("ignores key order of parsed bodies and tells different bodies apart", () => {
    expect(bodyDigest({ b: [1, { d: 2, c: 3 }], a: "x" })).toBe(bodyDigest({ a: "x", b: [1, { c: 3, d: 2 }] }));
    expect(bodyDigest({ a: 1 })).not.toBe(bodyDigest({ a: 2 }));
    expect(bodyDigest(undefined)).toBe(bodyDigest(""));
    expect(bodyDigest(Buffer.from("raw"))).toBe(bodyDigest("raw"));
  });

  it("does not give different Dates, Maps or Sets the same digest", () => {
    const digests = [
      new Date(0),
      new Date(1),
      new Map([["a", 1]]),
      new Map([["a", 2]]),
      new Set([1]),
      new Set([2]),
      {},
      [],
      "1970-01-01T00:00:00.000Z",
      { a: [1] },
      { a: new Set([1]) },
      { a: new Uint8Array([1]) },
    ].map((value) => bodyDigest({ value }));
    expect(digests.every((digest) => typeof digest === "string")).toBe(true);
    expect(new Set(digests).size).toBe(digests.length);
    expect(bodyDigest({ at: new Date(5), m: new Map([[1, new Set(["x"])]]) })).toBe(
      bodyDigest({ m: new Map([[1, new Set(["x"])]]), at: new Date(5) }),
    );
  });

  it("binds every level of a body nested 50,000 deep, without recursion", () => {
    const nested = (leaf: string): unknown => {
      let value: unknown = leaf;
      for (let i = 0; i < 50_000; i++) value = i % 2 === 0 ? [value] : { v: value };
      return value;
    };
    const harmless = bodyDigest(nested("harmless"));
    expect(typeof harmless).toBe("string");
    expect(bodyDigest(nested("DROP TABLE users"))).not.toBe(harmless);
  });

  it.each([
    ["a BigInt", { id: 1n }, /BigInt/],
    [
      "a cycle",
      (() => {
        const a: Record<string, unknown> = {};
        a["self"] = [a];
        return a;
      })(),
      /cycle/,
    ],
    ["a class instance", { when: new URL("http://x/") }, /instance of URL/],
    ["NaN", { n: Number.NaN }, /NaN/],
    ["a function", { f: () => 1 }, /function/],
    ["an invalid Date", { d: new Date(Number.NaN) }, /invalid Date/],
    [
      "a throwing getter",
      {
        get boom(): never {
          throw new Error("nope");
        },
      },
      /nope/,
    ],
  ])("refuses with 400 a body holding %s, rather than binding part of it", (_name, body, reason) => {
    const unbound = bodyDigest(body);
    expect(unbound).toMatchObject({ status: 400, reason: expect.stringMatching(reason) });
  });

  it("shares no state between repeated references and refuses only true cycles", () => {
    const shared = { x: 1 };
    expect(typeof bodyDigest({ a: shared, b: [shared, shared] })).toBe("string");
  });

  it("refuses with 413 a body longer than MAX_BOUND_BODY, raw or parsed", () => {
    expect(bodyDigest("x".repeat(MAX_BOUND_BODY))).toEqual(expect.any(String));
    expect(bodyDigest("x".repeat(MAX_BOUND_BODY + 1))).toMatchObject({ status: 413 });
    expect(bodyDigest(Buffer.alloc(MAX_BOUND_BODY + 1))).toMatchObject({ status: 413 });
    expect(bodyDigest({ big: "x".repeat(MAX_BOUND_BODY) })).toMatchObject({ status: 413 });
  });
});

describe("ConfirmTokens", () => {
  const binding = { method: "DELETE", target: "/users/1", bodyDigest: bodyDigest(undefined) as string, client: "203.0.113.9" };

  it("redeems a token once, for the request it was issued to", async () => {
    let now = NOW;
    const tokens = new ConfirmTokens({
      secret: "s".repeat(32),
      ttlMs: 60_000,
      store: new MemoryStore(),
      keyPrefix: "t:",
      clock: () => now,
    });
    const { token, expiresAt } = tokens.issue(binding, ["safe_delete", "v2.policy"]);
    expect(expiresAt).toBe(NOW + 60_000);
    expect(await tokens.redeem(token, { ...binding, client: "203.0.113.10" })).toEqual({ ok: false, rejection: "invalid" });
    expect(await tokens.redeem(token, binding)).toEqual({ ok: true, policies: ["safe_delete", "v2.policy"] });
    expect(await tokens.redeem(token, binding)).toEqual({ ok: false, rejection: "used" });
    const late = tokens.issue(binding, ["safe_delete"]).token;
    now += 61_000;
    expect(await tokens.redeem(late, binding)).toEqual({ ok: false, rejection: "expired" });
  });

  it("does not accept a token at or after the millisecond its expiresAt announces", async () => {
    let now = NOW + 123;
    const tokens = new ConfirmTokens({
      secret: "s".repeat(32),
      ttlMs: 60_000,
      store: new MemoryStore(),
      keyPrefix: "t:",
      clock: () => now,
    });
    const first = tokens.issue(binding, ["safe_delete"]);
    const second = tokens.issue(binding, ["safe_delete"]);
    expect(first.expiresAt).toBe(NOW + 60_123);
    now = first.expiresAt - 1;
    expect(await tokens.redeem(first.token, binding)).toEqual({ ok: true, policies: ["safe_delete"] });
    now = first.expiresAt;
    expect(await tokens.redeem(second.token, binding)).toEqual({ ok: false, rejection: "expired" });
  });
});
