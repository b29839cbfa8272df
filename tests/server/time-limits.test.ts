// The decision server's time limits for a request's headers and body: a slow client is answered 408 and let go in seconds.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ServeRefusal } from "../../src/server/start.js";
import { connectionLimits, DEFAULT_HEADERS_TIMEOUT, DEFAULT_REQUEST_TIMEOUT } from "../../src/server/time-limits.js";
import { runHexarch, tempProject } from "../cli/run-hexarch.js";
import { startTestServer, type TestServer } from "./serve-support.js";
import { postHead, slowClient } from "./slow-client.js";

const TOKEN = "dev-token-for-time-limits";
const BODY = JSON.stringify({ context: { resource: "tight", user: "slow" } });

describe("the request time limits", () => {
  let t: TestServer;
  beforeAll(async () => void (t = await startTestServer(undefined, { apiToken: TOKEN, headersTimeout: 0.4, requestTimeout: 1 })));
  afterAll(() => t.stop());

  it("a request whose body trickles in with a valid key is answered 408 and closed at its time limit, not held for minutes", async () => {
    // 10 000 bytes announced, one a tenth of a second: whole after 17 minutes.
    const first = `${postHead("/v1/decisions", 10_000, TOKEN)}{"context":`;
    const seen = await slowClient(t.server.url, { first, trickle: " ", everyMs: 100 });
    expect(seen.statusLine).toBe("HTTP/1.1 408 Request Timeout");
    expect(seen.closedAfterMs).toBeGreaterThanOrEqual(900);
    expect(seen.closedAfterMs).toBeLessThan(3500);
  });

  it("still answers a quick request whole", async () => {
    const answer = await t.post("/v1/decisions", JSON.parse(BODY), { authorization: `Bearer ${TOKEN}` });
    expect(answer.status).toBe(200);
  });
});

describe("the time limit options", () => {
  it("default to 10 s for headers and 30 s for the whole request, looked at every second", () => {
    expect([DEFAULT_HEADERS_TIMEOUT, DEFAULT_REQUEST_TIMEOUT]).toEqual([10, 30]);
    expect(connectionLimits({})).toEqual({ headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1000 });
  });

  it.each([
    [{ headersTimeout: 0 }, "the headers timeout is 0"],
    [{ requestTimeout: -1 }, "the request timeout is -1"],
    [{ requestTimeout: Number.NaN }, "the request timeout is NaN"],
    [{ headersTimeout: 601, requestTimeout: 700 }, "the headers timeout is 601"],
    [{ headersTimeout: 20, requestTimeout: 5 }, "the headers timeout (20 s) is longer than the request timeout (5 s)"],
  ])("refuses %j at start, naming the limit", async (limits, message) => {
    await expect(startTestServer(undefined, limits)).rejects.toThrow(ServeRefusal);
    await expect(startTestServer(undefined, limits)).rejects.toThrow(message);
  });

  it("are flags of hexarch serve, in whole seconds, listed by --help", async () => {
    const project = tempProject();
    try {
      const help = await runHexarch(["serve", "--help"], { cwd: project.dir });
      expect(help.stdout).toMatch(/--headers-timeout <seconds>[^-]*\(default 10\)/);
      expect(help.stdout).toMatch(/--request-timeout <seconds>[^-]*\(default 30\)/);
      const refused = await runHexarch(["serve", "--headers-timeout", "0.5"], { cwd: project.dir });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain("expected a whole number from 1 to 600");
    } finally {
      project.remove();
    }
  });
});
