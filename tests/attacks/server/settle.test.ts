// Attacks on settling reservations: other keys, revoked and missing keys, odd and huge ids, hostile bodies, races.
import fc from "fast-check";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_ID_LENGTH } from "../../../src/server/reservation-id.js";
import { startTestServer, type TestServer } from "../../server/serve-support.js";
import { bearer, keyFor, revoke, sendRaw } from "./attack-support.js";

const BUDGETS = Array.from(
  { length: 12 },
  (_, i) => `  - id: b${i}\n    rules:\n      - resource: wide\n        daily_budget: 1000\n        key: user\n`,
);
const POLICIES = `prices:
  gpt-4o: { input_per_mtok: 2.5, output_per_mtok: 10 }
policies:
  - id: spend
    rules:
      - resource: openai
        daily_budget: 1000
        key: user
  - id: brief
    rules:
      - resource: brief
        daily_budget: 1000
        key: user
        reservation_ttl: 0.2
${BUDGETS.join("")}`;
const TOKEN = "dev-token-of-the-settle-attacks-0123456789";

let t: TestServer;
let owner: string;
let other: string;
let admin: string;
let users = 0;

beforeAll(async () => {
  t = await startTestServer(POLICIES, { apiToken: TOKEN, callerLimit: 0 });
  owner = keyFor(t, "owner", "decide");
  other = keyFor(t, "other", "decide");
  admin = keyFor(t, "ops", "admin");
});
afterAll(() => t.stop());

/** A user no other test counts for, so each test reads its own budget. */
const freshUser = (): string => `user-${(users += 1)}`;

/** What `user`'s budget in `policy` holds, read by a dry run. */
async function used(user: string, policy = "spend", resource = "openai"): Promise<number> {
  const answer = await t.post("/v1/decisions", { policy, context: { resource, user, cost: 0 }, dry_run: true }, bearer(admin));
  return answer.body.counters[0].used as number;
}

/** Reserves `cost` on `user`'s spend budget with `key`; the decision id. */
async function reserve(user: string, key = owner, cost = 2, policy = "spend", resource = "openai"): Promise<string> {
  const decided = await t.post("/v1/decisions", { policy, context: { resource, user, cost } }, bearer(key));
  expect(decided.body.outcome).toBe("allow");
  return decided.body.id as string;
}

const settle = (id: string, body: unknown, headers: Record<string, string>) => t.post(`/v1/decisions/${id}/settle`, body, headers);
const event = (id: string, cost: number, headers: Record<string, string>) =>
  t.post("/v1/events/provider-calls", { provider: "openai", cost, decision_id: id }, headers);

describe("who may settle", () => {
  it("another decide key can neither settle nor release a reservation, by the settle route or a provider-call event", async () => {
    const user = freshUser();
    const id = await reserve(user);
    for (const answer of [await settle(id, { cost: 0 }, bearer(other)), await event(id, 0, bearer(other))]) {
      expect(answer.status).toBe(403);
      expect(answer.body.detail).toContain("another API key");
    }
    expect(await used(user)).toBeCloseTo(2);
    expect((await settle(id, { cost: 0.5 }, bearer(owner))).body).toMatchObject({ settled: true });
    expect(await used(user)).toBeCloseTo(0.5);
  });

  it("an admin key and the dev token settle any key's reservation", async () => {
    const user = freshUser();
    const first = await reserve(user);
    const second = await reserve(user);
    expect((await settle(first, { cost: 0 }, bearer(admin))).body).toMatchObject({ settled: true });
    expect((await event(second, 0, bearer(TOKEN))).body).toMatchObject({ charged: true, result: "settled" });
    expect(await used(user)).toBeCloseTo(0);
  });

  it("without a key, or with the owner's key once revoked, nothing settles; an admin key still can", async () => {
    const server = await startTestServer(POLICIES);
    try {
      const short = keyFor(server, "short-lived", "decide");
      const ops = keyFor(server, "ops", "admin");
      const decided = await server.post("/v1/decisions", { policy: "spend", context: { resource: "openai", cost: 3 } }, bearer(short));
      const id = decided.body.id as string;
      expect((await server.post(`/v1/decisions/${id}/settle`, { cost: 0 })).status).toBe(401);
      revoke(server, "short-lived");
      expect((await server.post(`/v1/decisions/${id}/settle`, { cost: 0 }, bearer(short))).status).toBe(401);
      const event = { provider: "openai", cost: 0, decision_id: id };
      expect((await server.post("/v1/events/provider-calls", event, bearer(short))).status).toBe(401);
      expect((await server.post(`/v1/decisions/${id}/settle`, { cost: 1 }, bearer(ops))).body).toMatchObject({ settled: true });
    } finally {
      await server.stop();
    }
  });
});

describe("odd, forged and huge ids", () => {
  it("settles nothing under another spelling of an id, and leaves the real id to settle", async () => {
    const user = freshUser();
    const id = await reserve(user);
    const neighbour = await reserve(user);
    const [nonce, mac] = id.split(".") as [string, string];
    const flipped = mac.at(-1) === "A" ? `${mac.slice(0, -1)}B` : `${mac.slice(0, -1)}A`;
    const spellings = [
      `${id}.`,
      `${nonce}..${mac}`,
      `${id}.${mac}`,
      `D${id.slice(1)}`,
      `${nonce}.${flipped}`,
      `${nonce}.${mac.slice(0, -1)}`,
      `${nonce}.${mac}A`,
      `${(neighbour.split(".") as [string])[0]}.${mac}`,
      `${id}%00`,
      `${id}%20`,
      `%20${id}`,
      `${nonce}%2E${mac}x`,
      encodeURIComponent(`${id}/`),
    ];
    for (const spelled of spellings) {
      const answer = await settle(spelled, { cost: 0 }, bearer(owner));
      expect(answer.status, spelled).toBe(404);
    }
    const bare = await settle(nonce, { cost: 0 }, bearer(owner));
    expect(bare.body).toMatchObject({ settled: false, result: "nothing-reserved" });
    expect(await used(user)).toBeCloseTo(4);
    expect((await settle(id, { cost: 1 }, bearer(owner))).body).toMatchObject({ settled: true });
    expect(await used(user)).toBeCloseTo(3);
  });

  it("refuses an id signed with another server's secret", async () => {
    const elsewhere = await startTestServer(POLICIES, { env: { HEXARCH_SECRET: "another-secret-of-enough-length-987" } });
    try {
      const foreign = (await elsewhere.post("/v1/decisions", { policy: "spend", context: { resource: "openai", cost: 1 } })).body.id;
      expect((await settle(foreign as string, { cost: 0 }, bearer(admin))).status).toBe(404);
    } finally {
      await elsewhere.stop();
    }
  });

  it("answers huge ids with 4xx, never a 5xx, and changes no budget", async () => {
    const user = freshUser();
    await reserve(user);
    for (const length of [MAX_ID_LENGTH + 1, 129, 8 * 1024]) {
      const id = `d_${"A".repeat(length - 2)}`;
      expect((await settle(id, { cost: 0 }, bearer(admin))).status, `${length}`).toBe(404);
      expect((await event(id, 0, bearer(admin))).status, `${length}`).toBe(length > 128 ? 400 : 404);
    }
    const huge = await sendRaw(t.server.url, "POST", `/v1/decisions/d_${"A".repeat(64 * 1024)}/settle`, bearer(admin), '{"cost":0}');
    expect(huge.status).toBeGreaterThanOrEqual(400);
    expect(huge.status).toBeLessThan(500);
    expect(await used(user)).toBeCloseTo(2);
  });

  it("keeps ids at most 41 characters, and settleable, for any number of budgets and any user", async () => {
    const user = fc.string({ unit: fc.constantFrom(..."abcXYZ019-_.:/@ é"), minLength: 1, maxLength: 1024 });
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 12 }), user, async (budgets, name) => {
        const policy = Array.from({ length: budgets }, (_, i) => `b${i}`);
        const decided = await t.post("/v1/decisions", { policy, context: { resource: "wide", user: name, cost: 0.5 } }, bearer(owner));
        const id = decided.body.id as string;
        expect(id.length).toBeLessThanOrEqual(MAX_ID_LENGTH);
        expect((await settle(id, { cost: 0 }, bearer(owner))).body).toMatchObject({ settled: true });
      }),
      { numRuns: 15 },
    );
  });
});

describe("hostile settles", () => {
  it("refuses a hostile cost or usage before it claims the settle, so the real settle still lands", async () => {
    const user = freshUser();
    const decided = await t.post(
      "/v1/decisions",
      { policy: "spend", context: { resource: "openai", user, model: "gpt-4o", input_tokens: 1000, max_output_tokens: 100 } },
      bearer(owner),
    );
    const id = decided.body.id as string;
    const hostile = [
      { cost: -1 },
      { cost: 1e10 },
      { cost: "0" },
      { cost: 0, usage: {} },
      { usage: { prompt_tokens: -5, completion_tokens: 1 } },
      { usage: { prompt_tokens: 1e300, completion_tokens: 1 } },
      { usage: { nonsense: true } },
      {},
    ];
    for (const body of hostile) expect((await settle(id, body, bearer(owner))).status, JSON.stringify(body)).toBe(400);
    const settled = await settle(id, { usage: { prompt_tokens: 1000, completion_tokens: 0 } }, bearer(owner));
    expect(settled.body).toMatchObject({ settled: true, cost: 0.0025 });
    expect(await used(user)).toBeCloseTo(0.0025, 6);
  });

  it("settles nothing with the ids of dry runs, explanations and charged provider calls", async () => {
    const user = freshUser();
    const dry = await t.post(
      "/v1/decisions",
      { policy: "spend", context: { resource: "openai", user, cost: 5 }, dry_run: true },
      bearer(owner),
    );
    const explained = await t.post("/v1/explain", { context: { resource: "openai", user, cost: 5 } }, bearer(owner));
    const charged = await t.post("/v1/events/provider-calls", { provider: "openai", cost: 1, context: { user } }, bearer(owner));
    for (const id of [dry.body.id, explained.body.decision.id, charged.body.id] as string[])
      expect((await settle(id, { cost: 0 }, bearer(owner))).body).toMatchObject({ settled: false, result: "nothing-reserved" });
    expect(await used(user)).toBeCloseTo(1);
  });

  it("ignores settles after reservation_ttl on both routes", async () => {
    const user = freshUser();
    const id = await reserve(user, owner, 2, "brief", "brief");
    await sleep(300);
    const before = await used(user, "brief", "brief");
    expect((await settle(id, { cost: 0 }, bearer(owner))).body).toMatchObject({ settled: false, result: "expired" });
    expect((await event(id, 0, bearer(admin))).body).toMatchObject({ charged: false, result: "expired" });
    expect(await used(user, "brief", "brief")).toBeCloseTo(before);
  });
});

describe("races", () => {
  it("settles an id exactly once when twenty settles and events arrive together", async () => {
    const user = freshUser();
    const id = await reserve(user, owner, 5);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? settle(id, { cost: i / 10 }, bearer(owner)) : event(id, i / 10, bearer(admin)))),
    );
    const winners = answers.filter((a) => a.body.settled === true || a.body.charged === true);
    expect(winners).toHaveLength(1);
    const losers = answers.filter((a) => !winners.includes(a));
    expect(losers.every((a) => a.status === 409 || a.body.result === "already-settled")).toBe(true);
    const winner = answers.findIndex((a) => winners.includes(a));
    expect(await used(user)).toBeCloseTo(winner / 10);
  });

  it("lets a stolen-id race by another key take nothing while the owner settles", async () => {
    const user = freshUser();
    const id = await reserve(user, owner, 5);
    const answers = await Promise.all([
      ...Array.from({ length: 10 }, () => settle(id, { cost: 0 }, bearer(other))),
      settle(id, { cost: 4 }, bearer(owner)),
    ]);
    expect(answers.slice(0, 10).every((a) => a.status === 403)).toBe(true);
    expect(answers[10]?.body).toMatchObject({ settled: true });
    expect(await used(user)).toBeCloseTo(4);
  });
});
