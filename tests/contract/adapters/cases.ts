// The HTTP contract as data: a policy file, a mount, and request steps with the status, headers and body each must get.
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import type { ContractMount, ContractOptions, ContractRequest } from "./driver.js";

/** Which confirmation token a step sends in `Hexarch-Confirm`. */
export type TokenChoice =
  | "last" // the token of the most recent 428
  | "first" // the token of the case's first 428
  | "forged" // well-formed, signed with another secret
  | "garbage" // not a token at all
  | "oversized"; // longer than any token can be

export interface ContractStep {
  readonly request: ContractRequest & { readonly token?: TokenChoice };
  /** Sends the request this many times in a row; each answer must match. Default: 1. */
  readonly times?: number;
  readonly expect: {
    readonly status: number;
    /** Expected header values (lower-case names): a string, a RegExp, or null for "absent". */
    readonly headers?: Readonly<Record<string, string | RegExp | null>>;
    /** Fields the body must contain (vitest asymmetric matchers allowed). */
    readonly body?: Readonly<Record<string, unknown>>;
  };
}

/** Requests sent all at once; the statuses must add up to `counts`. */
export interface ContractBurst {
  readonly request: ContractRequest;
  readonly concurrent: number;
  readonly counts: Readonly<Record<number, number>>;
}

export interface ContractCase {
  readonly name: string;
  readonly policies: string;
  readonly mount: ContractMount;
  readonly options?: ContractOptions;
  /** A counter store that fails every call. */
  readonly failingStore?: boolean;
  readonly steps?: readonly ContractStep[];
  readonly burst?: ContractBurst;
}

/** The seed's Quick Start policies: api_budget (10/month, warn at 80%), rate_limit (100/min), safe_delete. */
export const QUICK_START = readFileSync(new URL("../../fixtures/seed/quickstart.yaml", import.meta.url), "utf8");

const CONFIRM_CREATE = `
policies:
  - id: confirm_create
    rules:
      - operation: create
        action: require_confirmation
`;

const PROBLEM = /^application\/problem\+json/;
const SECONDS = /^[1-9]\d*$/;
const TOKEN = expect.stringMatching(/^v2\./);

const confirmed428 = (rejected?: string) => ({
  status: 428,
  headers: { "content-type": PROBLEM, "cache-control": "no-store", "retry-after": null },
  body: {
    type: "urn:hexarch:problem:confirmation-required",
    title: "Confirmation required",
    status: 428,
    outcome: "confirm",
    policy: "safe_delete",
    confirm: rejected === undefined ? { header: "Hexarch-Confirm", token: TOKEN } : { header: "Hexarch-Confirm", token: TOKEN, rejected },
  },
});

const deleteItem = (token?: TokenChoice, path = "/items/1"): ContractStep["request"] => ({
  method: "DELETE",
  path,
  ...(token === undefined ? {} : { token }),
});

/** Every case runs under every adapter. */
export const CONTRACT_CASES: readonly ContractCase[] = [
  {
    name: "allow: IETF RateLimit-Policy and RateLimit fields name the policy",
    policies: QUICK_START,
    mount: { kind: "hexarch" },
    steps: [
      {
        request: { method: "GET", path: "/items" },
        expect: {
          status: 200,
          headers: {
            "ratelimit-policy": '"rate_limit";q=100;w=60',
            ratelimit: /^"rate_limit";r=99;t=(60|59)$/,
            "retry-after": null,
            "x-ratelimit-limit": null,
          },
          body: { ok: true },
        },
      },
    ],
  },
  {
    name: "limit: 429 problem, Retry-After from the rule that denied",
    policies: `
policies:
  - id: burst
    rules:
      - requests_per_minute: 2
  - id: hourly
    rules:
      - requests_per_hour: 50
`,
    mount: { kind: "hexarch" },
    steps: [
      { request: { method: "GET", path: "/items" }, times: 2, expect: { status: 200 } },
      {
        request: { method: "GET", path: "/items" },
        expect: {
          status: 429,
          headers: { "retry-after": /^([1-9]|[1-5]\d|60)$/, "content-type": PROBLEM, ratelimit: /"burst";r=0;t=\d+, "hourly";r=48;t=\d+/ },
          body: {
            type: "urn:hexarch:problem:rate-limited",
            title: "Too many requests",
            status: 429,
            outcome: "limit",
            kind: "rate",
            policy: "burst",
            rule: { index: 0, summary: expect.stringContaining("2 requests per minute") },
            retry_after: expect.any(Number),
            detail: expect.stringContaining("Policy 'burst'"),
          },
        },
      },
    ],
  },
  {
    name: "confirm: 428 with a token; the same request with Hexarch-Confirm passes once; a replay gets a fresh 428",
    policies: QUICK_START,
    mount: { kind: "hexarch" },
    steps: [
      { request: deleteItem(), expect: confirmed428() },
      { request: deleteItem("last"), expect: { status: 200, body: { ok: true } } },
      { request: deleteItem("last"), expect: confirmed428("used") },
    ],
  },
  {
    name: "confirm via guard(): same protocol on one route",
    policies: QUICK_START,
    mount: { kind: "guard", policies: ["safe_delete"] },
    steps: [
      { request: deleteItem(), expect: confirmed428() },
      { request: deleteItem("last"), expect: { status: 200 } },
    ],
  },
  {
    name: "confirm: a token for another path is refused and not spent",
    policies: QUICK_START,
    mount: { kind: "hexarch" },
    steps: [
      { request: deleteItem(undefined, "/items/1"), expect: confirmed428() },
      { request: deleteItem("last", "/items/2"), expect: confirmed428("invalid") },
    ],
  },
  {
    name: "confirm: a token with an altered body is refused, and still works with the original body",
    policies: CONFIRM_CREATE,
    mount: { kind: "hexarch" },
    steps: [
      {
        request: { method: "POST", path: "/items", body: { name: "a", n: 1 } },
        expect: { status: 428, body: { policy: "confirm_create" } },
      },
      {
        request: { method: "POST", path: "/items", body: { name: "a", n: 2 }, token: "last" },
        expect: { status: 428, body: { confirm: expect.objectContaining({ rejected: "invalid" }) } },
      },
      { request: { method: "POST", path: "/items", body: { n: 1, name: "a" }, token: "first" }, expect: { status: 200 } },
    ],
  },
  {
    name: "confirm: forged, garbage and oversized tokens count as absent",
    policies: QUICK_START,
    mount: { kind: "hexarch" },
    steps: [
      { request: deleteItem("forged"), expect: confirmed428("invalid") },
      { request: deleteItem("garbage"), expect: confirmed428("malformed") },
      { request: deleteItem("oversized"), expect: confirmed428("malformed") },
    ],
  },
  {
    name: "deny: 403 problem without Retry-After",
    policies: `
policies:
  - id: admins_only
    description: "Only admins"
    rules:
      - allowed_roles: [admin]
`,
    mount: { kind: "hexarch" },
    options: { roles: ["viewer"] },
    steps: [
      {
        request: { method: "GET", path: "/admin" },
        expect: {
          status: 403,
          headers: { "retry-after": null, "cache-control": "no-store" },
          body: {
            type: "urn:hexarch:problem:forbidden-by-policy",
            title: "Forbidden by policy",
            status: 403,
            outcome: "deny",
            kind: "access",
            policy: "admins_only",
          },
        },
      },
    ],
  },
  {
    name: "budget: warning header past the threshold, then 429 budget-exhausted with Retry-After",
    policies: QUICK_START,
    mount: { kind: "guard", policies: ["api_budget"] },
    options: { resource: "openai", cost: 3 },
    steps: [
      { request: { method: "POST", path: "/chat" }, times: 2, expect: { status: 200, headers: { "hexarch-budget-warning": null } } },
      {
        request: { method: "POST", path: "/chat" },
        expect: { status: 200, headers: { "hexarch-budget-warning": /^"api_budget";spent=9;limit=10;reset=\d+$/ } },
      },
      {
        request: { method: "POST", path: "/chat" },
        expect: {
          status: 429,
          headers: { "retry-after": SECONDS, "hexarch-budget-warning": null },
          body: {
            type: "urn:hexarch:problem:budget-exhausted",
            title: "Budget exhausted",
            outcome: "limit",
            kind: "budget",
            policy: "api_budget",
          },
        },
      },
    ],
  },
  {
    name: "budget: charge() settles the real cost, so the estimate no longer counts",
    policies: QUICK_START,
    mount: { kind: "guard", policies: ["api_budget"] },
    options: { resource: "openai", cost: 3 },
    steps: [
      {
        request: { method: "POST", path: "/chat", headers: { "x-actual-cost": "1" } },
        times: 5,
        expect: { status: 200, headers: { "hexarch-budget-warning": null } },
      },
      {
        request: { method: "POST", path: "/chat" },
        expect: { status: 200, headers: { "hexarch-budget-warning": /^"api_budget";spent=8;limit=10;/ } },
      },
    ],
  },
  {
    name: "does not let a request whose computed cost is not an amount fall back to the default cost: 400 invalid-cost",
    policies: QUICK_START,
    mount: { kind: "guard", policies: ["api_budget"] },
    options: { resource: "openai", cost: () => Number.NaN },
    steps: [
      {
        request: { method: "POST", path: "/chat" },
        times: 12,
        expect: {
          status: 400,
          headers: { "retry-after": null },
          body: {
            type: "urn:hexarch:problem:invalid-cost",
            title: "Invalid cost",
            status: 400,
            outcome: "deny",
            kind: "cost",
            detail: expect.stringContaining("cost NaN"),
          },
        },
      },
    ],
  },
  {
    name: "hexarch() leaves a resource-scoped budget alone on routes that state no resource",
    policies: QUICK_START,
    mount: { kind: "hexarch" },
    steps: [{ request: { method: "POST", path: "/chat" }, times: 5, expect: { status: 200, headers: { "hexarch-budget-warning": null } } }],
  },
  {
    name: "store failure under fail: closed → 503 with Retry-After",
    policies: QUICK_START,
    mount: { kind: "hexarch" },
    failingStore: true,
    steps: [
      {
        request: { method: "GET", path: "/items" },
        expect: {
          status: 503,
          headers: { "retry-after": "5" },
          body: { type: "urn:hexarch:problem:policy-unavailable", outcome: "error", kind: "store", policy: "rate_limit", retry_after: 5 },
        },
      },
    ],
  },
  {
    name: "store failure under fail: open → the call goes ahead",
    policies: `
policies:
  - id: lenient
    fail: open
    rules:
      - requests_per_minute: 1
`,
    mount: { kind: "hexarch" },
    failingStore: true,
    steps: [{ request: { method: "GET", path: "/items" }, expect: { status: 200, body: { ok: true } } }],
  },
  {
    name: "shadow mode: past the limit the call still goes ahead",
    policies: `
enforcement: warn
policies:
  - id: tight
    rules:
      - requests_per_minute: 1
`,
    mount: { kind: "hexarch" },
    steps: [{ request: { method: "GET", path: "/items" }, times: 3, expect: { status: 200 } }],
  },
  {
    name: "headers: false sends no policy headers, even Retry-After; the body still says when",
    policies: `
policies:
  - id: tight
    rules:
      - requests_per_minute: 1
`,
    mount: { kind: "hexarch" },
    options: { headers: false },
    steps: [
      { request: { method: "GET", path: "/items" }, expect: { status: 200, headers: { ratelimit: null, "ratelimit-policy": null } } },
      {
        request: { method: "GET", path: "/items" },
        expect: { status: 429, headers: { "retry-after": null, ratelimit: null }, body: { retry_after: expect.any(Number) } },
      },
    ],
  },
  {
    name: "headers: { legacy: true } adds X-RateLimit-* (reset in epoch seconds)",
    policies: QUICK_START,
    mount: { kind: "hexarch" },
    options: { headers: { legacy: true } },
    steps: [
      {
        request: { method: "GET", path: "/items" },
        expect: {
          status: 200,
          headers: {
            "x-ratelimit-limit": "100",
            "x-ratelimit-remaining": "99",
            "x-ratelimit-reset": /^\d{10}$/,
            ratelimit: /^"rate_limit";r=99;/,
          },
        },
      },
    ],
  },
  {
    name: "concurrent requests at the limit edge admit exactly the limit",
    policies: `
policies:
  - id: edge
    rules:
      - requests_per_minute: 5
`,
    mount: { kind: "hexarch" },
    burst: { request: { method: "GET", path: "/items" }, concurrent: 12, counts: { 200: 5, 429: 7 } },
  },
  {
    // Express, @koa/router and Next.js answer HEAD with the GET handler, so a GET scope that skipped HEAD left it unlimited.
    name: "HEAD requests count against a methods: [GET] limit, which they would otherwise run past",
    policies: `
policies:
  - id: reports
    rules:
      - methods: [GET]
        requests_per_minute: 2
`,
    mount: { kind: "hexarch" },
    steps: [
      { request: { method: "HEAD", path: "/report" }, times: 2, expect: { status: 200 } },
      { request: { method: "HEAD", path: "/report" }, expect: { status: 429, headers: { "retry-after": SECONDS } } },
      { request: { method: "GET", path: "/report" }, expect: { status: 429 } },
    ],
  },
];
