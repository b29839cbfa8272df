// Attacks on the decision server's time limits: slow-loris headers, silent connections, trickled and abandoned bodies.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../server/serve-support.js";
import { postHead, slowClient, type SlowOutcome } from "../../server/slow-client.js";

const KEY = "dev-token-for-slow-clients";
const HEADERS_S = 0.4;
const REQUEST_S = 1;
/** How late after its limit a connection may still be closed on a loaded 2-core machine (node looks every 100 ms here). */
const SLACK_MS = 2500;
const TIMEOUT = "HTTP/1.1 408 Request Timeout";

/** The connection was closed by the server within `limitS` seconds and the slack, not before the limit. */
function closedAt(seen: SlowOutcome, limitS: number): void {
  expect(seen.closedAfterMs).toBeGreaterThanOrEqual(limitS * 1000 - 100);
  expect(seen.closedAfterMs).toBeLessThan(limitS * 1000 + SLACK_MS);
}

describe("slow clients against the decision server", () => {
  let t: TestServer;
  beforeAll(
    async () => void (t = await startTestServer(undefined, { apiToken: KEY, headersTimeout: HEADERS_S, requestTimeout: REQUEST_S })),
  );
  afterAll(() => t.stop());

  it("slow-loris headers, one line a tenth of a second, get 408 and the connection closed at the headers limit", async () => {
    const seen = await slowClient(t.server.url, {
      first: "POST /v1/decisions HTTP/1.1\r\nhost: 127.0.0.1\r\n",
      trickle: "x-pad: a\r\n",
      everyMs: 100,
    });
    expect(seen.statusLine).toBe(TIMEOUT);
    closedAt(seen, HEADERS_S);
  });

  it("a connection that never sends a byte is closed with 408 at the headers limit", async () => {
    const seen = await slowClient(t.server.url, { first: "" });
    expect(seen.statusLine).toBe(TIMEOUT);
    closedAt(seen, HEADERS_S);
  });

  it("slow headers of a second request on a kept-alive connection are limited too, from that request's first byte", async () => {
    const first = "GET /health HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\nGET /health HTTP/1.1\r\n";
    const seen = await slowClient(t.server.url, { first, trickle: "x-pad: a\r\n", everyMs: 100 });
    expect(seen.statusLine).toBe("HTTP/1.1 200 OK");
    expect(seen.text).toContain(TIMEOUT);
    closedAt(seen, HEADERS_S);
  });

  it("a body trickled with a valid key to /authorize gets 408 at the request limit, and decides nothing", async () => {
    const first = `${postHead("/authorize", 10_000, KEY)}{"action":"read","resource":"tight","context":{"user":"trickle"`;
    const seen = await slowClient(t.server.url, { first, trickle: " ", everyMs: 100 });
    expect(seen.statusLine).toBe(TIMEOUT);
    closedAt(seen, REQUEST_S);
    const after = await t.post("/v1/decisions", { context: { resource: "tight", user: "trickle" } }, { authorization: `Bearer ${KEY}` });
    expect(after.body.counters[0]).toMatchObject({ used: 1, limit: 3 });
  });

  it("a body trickled without a key is refused 401 at once, and the connection does not outlive the request limit", async () => {
    const seen = await slowClient(t.server.url, { first: `${postHead("/v1/decisions", 10_000)}{`, trickle: " ", everyMs: 100 });
    expect(seen.statusLine).toBe("HTTP/1.1 401 Unauthorized");
    expect(seen.closedAfterMs).toBeLessThan(REQUEST_S * 1000 + SLACK_MS);
  });

  it("a body that stops half way and waits gets 408 at the request limit", async () => {
    const seen = await slowClient(t.server.url, { first: `${postHead("/v1/decisions", 60, KEY)}{"context":{"resource":"tight"` });
    expect(seen.statusLine).toBe(TIMEOUT);
    closedAt(seen, REQUEST_S);
  });

  it("a body that stops half way and hangs up gets 400, counts nothing, and the server goes on answering", async () => {
    const user = "half-body";
    const body = JSON.stringify({ context: { resource: "tight", user } });
    const seen = await slowClient(t.server.url, {
      first: postHead("/v1/decisions", body.length, KEY) + body.slice(0, 20),
      endAfterFirst: true,
    });
    expect(seen.statusLine).toBe("HTTP/1.1 400 Bad Request");
    const after = await t.post("/v1/decisions", JSON.parse(body), { authorization: `Bearer ${KEY}` });
    expect(after.status).toBe(200);
    // tight allows 3 a minute: the abandoned request took none of them.
    expect(after.body.counters[0]).toMatchObject({ used: 1, limit: 3 });
  });

  it("forty slow-loris connections at once neither keep a quick caller waiting nor outlive the headers limit", async () => {
    const loris = Array.from({ length: 40 }, () =>
      slowClient(t.server.url, { first: "GET /health HTTP/1.1\r\n", trickle: "x-pad: a\r\n", everyMs: 100 }),
    );
    const quick = await t.post("/v1/decisions", { context: { resource: "other" } }, { authorization: `Bearer ${KEY}` });
    expect(quick.status).toBe(200);
    const seen = await Promise.all(loris);
    expect(seen.map((one) => one.statusLine)).toEqual(Array.from({ length: 40 }, () => TIMEOUT));
    for (const one of seen) closedAt(one, HEADERS_S);
  });
});
