// Who the client is when Next gives no socket address: forwarding headers under trustProxy, a key function, or one shared client.
import { describe, expect, it } from "vitest";
import { withHexarch } from "../../../src/adapters/next.js";
import { createFetchGuard } from "../../../src/adapters/fetch.js";
import { countingHandler, guardianFor, perMinute, SECRET, statusesOf } from "./route.js";

const from = (forwardedFor: string) => ({ headers: { "x-forwarded-for": forwardedFor } });

function limitedRoute(options: Parameters<typeof withHexarch>[1] = {}) {
  return withHexarch(countingHandler().handler, { guardian: guardianFor(perMinute(1)), secret: SECRET, ...options });
}

describe("client identity without a socket address", () => {
  it("without trustProxy, X-Forwarded-For is ignored and every request is the one unknown client", async () => {
    const seen: (string | undefined)[] = [];
    const route = limitedRoute({ onDecision: (decision) => seen.push(decision.counters[0]?.partition) });
    expect(await statusesOf(route, [from("203.0.113.1"), from("203.0.113.2")])).toEqual([200, 429]);
    expect(seen).toEqual(["unknown-client", "unknown-client"]);
  });

  it("trustProxy: true takes the leftmost X-Forwarded-For address", async () => {
    const route = limitedRoute({ trustProxy: true });
    expect(await statusesOf(route, [from("203.0.113.1, 10.0.0.1"), from("203.0.113.2, 10.0.0.1"), from("203.0.113.1, 10.0.0.2")])).toEqual([
      200, 200, 429,
    ]);
  });

  it("trustProxy: 1 takes the address the one proxy appended, so a spoofed left part changes nothing", async () => {
    const route = limitedRoute({ trustProxy: 1 });
    expect(await statusesOf(route, [from("1.1.1.1, 203.0.113.9"), from("2.2.2.2, 203.0.113.9"), from("203.0.113.8")])).toEqual([
      200, 429, 200,
    ]);
  });

  it("trustProxy: 2 takes the second address from the right; a shorter chain gives its leftmost", async () => {
    const route = limitedRoute({ trustProxy: 2 });
    expect(await statusesOf(route, [from("9.9.9.9, 203.0.113.5, 10.0.0.1"), from("203.0.113.5"), from("203.0.113.6, 10.0.0.1")])).toEqual([
      200, 429, 200,
    ]);
  });

  it("trusted IPv6 addresses are grouped by /64, as in every adapter", async () => {
    const route = limitedRoute({ trustProxy: 1 });
    expect(await statusesOf(route, [from("2001:db8:1:2::1"), from("2001:db8:1:2:ffff::9"), from("2001:db8:1:3::1")])).toEqual([
      200, 429, 200,
    ]);
  });

  it("does not give one client a fresh limit per spelling of its forwarded address", async () => {
    const seen: (string | undefined)[] = [];
    const route = limitedRoute({ trustProxy: 1, onDecision: (decision) => seen.push(decision.counters[0]?.partition) });
    const spellings = [
      "203.0.113.4",
      "203.0.113.4:5555",
      "[::ffff:203.0.113.4]:443",
      "::ffff:cb00:7104",
      "_hidden",
      "unknown",
      "203.0.113.4:http",
    ];
    expect(await statusesOf(route, spellings.map(from))).toEqual([200, 429, 429, 429, 200, 429, 429]);
    // No IP address and no peer: the one unknown client, never a client per spelling.
    expect(seen.slice(4)).toEqual(["unknown-client", "unknown-client", "unknown-client"]);
  });

  it("a clientKey function decides when the app knows better (an account, a tenant)", async () => {
    const route = limitedRoute({ clientKey: (request) => request.headers.get("x-tenant") ?? undefined });
    const tenant = (name: string) => ({ headers: { "x-tenant": name } });
    expect(await statusesOf(route, [tenant("a"), tenant("b"), tenant("a")])).toEqual([200, 200, 429]);
  });
});

describe("Fetch guard with a socket address (Bun, Deno)", () => {
  it("the peer address given to check() is the client; X-Forwarded-For counts only under trustProxy", async () => {
    const guard = createFetchGuard({ guardian: guardianFor(perMinute(1)), secret: SECRET });
    const send = async (peer: string, forwardedFor?: string) => {
      const headers: Record<string, string> = forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor };
      const verdict = await guard.check(new Request("http://localhost/items", { headers }), peer);
      return verdict.proceed ? 200 : verdict.response.status;
    };
    expect([await send("198.51.100.1"), await send("198.51.100.2", "198.51.100.1"), await send("198.51.100.1", "203.0.113.7")]).toEqual([
      200, 200, 429,
    ]);

    const behindProxy = createFetchGuard({ guardian: guardianFor(perMinute(1)), secret: SECRET, trustProxy: 1 });
    const viaProxy = async (forwardedFor: string) => {
      const verdict = await behindProxy.check(
        new Request("http://localhost/items", { headers: { "x-forwarded-for": forwardedFor } }),
        "10.0.0.1",
      );
      return verdict.proceed ? 200 : verdict.response.status;
    };
    expect([await viaProxy("203.0.113.1"), await viaProxy("203.0.113.2"), await viaProxy("203.0.113.1")]).toEqual([200, 200, 429]);
  });

  it("does not warn HEXARCH_XFF_UNTRUSTED for the X-Forwarded-For that next start adds to a direct request", async () => {
    const codes: unknown[] = [];
    const logger = { info() {}, error() {}, warn: (object: Record<string, unknown>) => void codes.push(object["code"]) };
    const route = limitedRoute({ logger, clientKey: () => "one-user" });
    expect(await statusesOf(route, [from("127.0.0.1")])).toEqual([200]);
    expect(codes).toEqual([]);
  });

  it("warns once, with its code, when a route has neither trustProxy nor clientKey", () => {
    const codes: unknown[] = [];
    const logger = { info() {}, error() {}, warn: (object: Record<string, unknown>) => void codes.push(object["code"]) };
    limitedRoute({ logger, trustProxy: 1 });
    limitedRoute({ logger, clientKey: () => "k" });
    expect(codes).toEqual([]);
    // A policy of its own names this route in the warning, so no earlier route of this file has warned the same.
    limitedRoute({ logger, policy: "per_minute" });
    expect(codes).toEqual(["HEXARCH_NEXT_NO_CLIENT"]);
  });
});
