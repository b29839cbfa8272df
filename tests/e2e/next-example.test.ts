// End to end: builds examples/next with `next build`, runs `next start`, and drives the README's curl session over HTTP.
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildNextApp, startNextApp, type NextServer } from "./next-server.js";

const EXAMPLE = fileURLToPath(new URL("../../examples/next", import.meta.url));
const ENV = { HEXARCH_SECRET: "e2e-secret-0123456789abcdef" };

/** Each test makes up to 101 sequential requests to next start; on a busy 2-core machine that outgrows the default 20 s. */
const HTTP_SESSION_TIMEOUT = 90_000;

let server: NextServer | undefined;

function base(): string {
  if (server === undefined) throw new Error("the example server did not start");
  return server.url;
}

beforeAll(async () => {
  await buildNextApp(EXAMPLE, ENV);
  server = await startNextApp(EXAMPLE, ENV);
}, 420_000);

afterAll(async () => {
  await server?.stop();
}, 15_000);

describe("examples/next under next start", () => {
  it(
    "DELETE answers 428 with a token; the same request with Hexarch-Confirm deletes once; a replay gets 428 again",
    async () => {
      const first = await fetch(`${base()}/users/2`, { method: "DELETE" });
      expect(first.status).toBe(428);
      expect(first.headers.get("content-type")).toBe("application/problem+json");
      const body = (await first.json()) as { policy: string; confirm: { header: string; token: string } };
      expect(body).toMatchObject({ policy: "safe_delete", confirm: { header: "Hexarch-Confirm" } });

      const confirmed = await fetch(`${base()}/users/2`, { method: "DELETE", headers: { "Hexarch-Confirm": body.confirm.token } });
      expect(confirmed.status).toBe(200);
      expect(await confirmed.json()).toEqual({ deleted: "2" });

      const replay = await fetch(`${base()}/users/2`, { method: "DELETE", headers: { "Hexarch-Confirm": body.confirm.token } });
      expect(replay.status).toBe(428);
      expect(((await replay.json()) as { confirm: { rejected: string } }).confirm.rejected).toBe("used");
    },
    HTTP_SESSION_TIMEOUT,
  );

  it(
    "POST /chat warns past 80% of the budget, then answers 429 budget-exhausted with Retry-After",
    async () => {
      const answers: { status: number; warning: string | null; retryAfter: string | null; body: unknown }[] = [];
      for (let call = 0; call < 20 && answers.at(-1)?.status !== 429; call++) {
        const response = await fetch(`${base()}/chat`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ prompt: "hello" }),
        });
        answers.push({
          status: response.status,
          warning: response.headers.get("hexarch-budget-warning"),
          retryAfter: response.headers.get("retry-after"),
          body: await response.json(),
        });
      }
      const refused = answers.at(-1);
      expect(refused?.status).toBe(429);
      expect(refused?.retryAfter).toMatch(/^[1-9]\d*$/);
      expect(refused?.body).toMatchObject({ type: "urn:hexarch:problem:budget-exhausted", policy: "api_budget", kind: "budget" });
      const warned = answers.filter((a) => a.status === 200 && a.warning !== null);
      expect(warned.length).toBeGreaterThan(0);
      expect(warned[0]?.warning).toMatch(/^"api_budget";spent=(8|9)(\.\d+)?;limit=10;reset=\d+$/);
      expect(
        answers.slice(0, answers.indexOf(warned[0] as (typeof answers)[number])).every((a) => a.status === 200 && a.warning === null),
      ).toBe(true);
    },
    HTTP_SESSION_TIMEOUT,
  );

  it(
    "GET /users: 100 requests a minute with RateLimit fields, the 101st gets 429 with Retry-After",
    async () => {
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let call = 0; call < 101; call++) {
        last = await fetch(`${base()}/users`);
        statuses.push(last.status);
        if (call === 0) expect(last.headers.get("ratelimit")).toMatch(/^"rate_limit";r=99;t=\d+$/);
        if (call < 100) await last.arrayBuffer();
      }
      expect(statuses.filter((s) => s === 200)).toHaveLength(100);
      expect(statuses.at(-1)).toBe(429);
      expect(Number(last?.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(Number(last?.headers.get("retry-after"))).toBeLessThanOrEqual(60);
      expect(await last?.json()).toMatchObject({ type: "urn:hexarch:problem:rate-limited", policy: "rate_limit" });
    },
    HTTP_SESSION_TIMEOUT,
  );
});
