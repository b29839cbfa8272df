// withHexarch on App Router route handlers, called with new Request(): validation, context, headers, bodies, events.
import { NextRequest } from "next/server.js";
import { describe, expect, it, vi } from "vitest";
import { withHexarch, type HexarchRouteContext } from "../../../src/adapters/next.js";
import { call, configErrorOf, countingHandler, guardianFor, perMinute, SECRET, statusesOf } from "./route.js";

const ok = () => Response.json({ ok: true });

describe("set-up, once per route module", () => {
  it("an unknown option names the nearest known one", () => {
    const error = configErrorOf(() => withHexarch(ok, { guardian: guardianFor(), trustProxi: true } as never));
    expect(error.problems[0]).toMatchObject({ path: "withHexarch().trustProxi", fix: 'did you mean "trustProxy"?' });
  });

  it("every wrong type and bad value is reported at once", () => {
    const error = configErrorOf(() =>
      withHexarch(ok, { guardian: guardianFor(), cost: "3", secret: "short", headers: { legasy: true } } as never),
    );
    expect(error.problems.map((p) => p.path).sort()).toEqual([
      "withHexarch().cost",
      "withHexarch().headers.legasy",
      "withHexarch().secret",
    ]);
  });

  it.each([[0], [-1], [1.5], [65]])("trustProxy: %s is not a number of proxies", (trustProxy) => {
    const error = configErrorOf(() => withHexarch(ok, { guardian: guardianFor(), trustProxy }));
    expect(error.problems[0]).toMatchObject({ path: "withHexarch().trustProxy", fix: expect.stringContaining("number of proxies") });
  });

  it("options that would create a guardian per route are refused, pointing to one shared guardian", () => {
    const error = configErrorOf(() => withHexarch(ok, { policyFile: "hexarch.yaml", store: {} } as never));
    expect(error.problems.map((p) => p.path)).toEqual(["withHexarch().policyFile", "withHexarch().store"]);
    expect(error.problems[0]?.fix).toContain("pass it as guardian");
  });

  it("an unknown policy id lists the known ids; an empty list is refused", () => {
    const unknown = configErrorOf(() => withHexarch(ok, { guardian: guardianFor(), policy: "safe_delet" }));
    expect(unknown.problems[0]?.fix).toBe("use one of: api_budget, rate_limit, safe_delete");
    const empty = configErrorOf(() => withHexarch(ok, { guardian: guardianFor(), policy: [] }));
    expect(empty.problems[0]).toMatchObject({ path: "withHexarch({ policy: [] }).policy", message: "an empty list of policy ids" });
  });
});

describe("requests", () => {
  it("the handler gets Next's context plus hexarch; its response gets the RateLimit headers", async () => {
    const route = withHexarch(
      async (_request, { params, hexarch }: { params: Promise<{ id: string }> } & HexarchRouteContext) =>
        Response.json({ id: (await params).id, outcomes: hexarch.decisions.map((d) => d.outcome) }),
      { guardian: guardianFor(), secret: SECRET },
    );
    const response = await route(new Request("http://localhost/users/7"), { params: Promise.resolve({ id: "7" }) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: "7", outcomes: ["allow"] });
    expect(response.headers.get("ratelimit")).toMatch(/^"rate_limit";r=99;t=\d+$/);
    expect(response.headers.get("ratelimit-policy")).toBe('"rate_limit";q=100;w=60');
  });

  it("the handler never runs for a refusal", async () => {
    const { handler, runs } = countingHandler();
    const route = withHexarch(handler, { guardian: guardianFor(perMinute(1)), secret: SECRET });
    expect(await statusesOf(route, [{}, {}, { method: "DELETE" }])).toEqual([200, 429, 429]);
    expect(runs()).toBe(1);
  });

  it("answers without a promise when nothing waits, with a promise for an async handler; errors always reject", async () => {
    const guardian = guardianFor();
    const context = { params: Promise.resolve({}) };
    const direct = withHexarch(ok, { guardian, secret: SECRET })(new Request("http://localhost/items"), context);
    expect(direct).toBeInstanceOf(Response);
    expect((direct as Response).headers.get("ratelimit")).toMatch(/^"rate_limit";r=99;/);

    const later = withHexarch(async () => ok(), { guardian, secret: SECRET })(new Request("http://localhost/items"), context);
    expect(later).toBeInstanceOf(Promise);
    expect((await later).headers.get("ratelimit")).toMatch(/^"rate_limit";r=98;/);

    const failing = withHexarch(
      () => {
        throw new Error("handler broke");
      },
      { guardian, secret: SECRET },
    );
    const result = failing(new Request("http://localhost/items"), context);
    expect(result).toBeInstanceOf(Promise);
    await expect(result).rejects.toThrow("handler broke");
  });

  it("the handler's own headers win over hexarch's", async () => {
    const route = withHexarch(() => new Response("x", { headers: { RateLimit: "mine" } }), { guardian: guardianFor(), secret: SECRET });
    expect((await call(route, "/")).headers.get("ratelimit")).toBe("mine");
  });

  it("a response with immutable headers (Response.redirect) is copied to add the headers", async () => {
    const route = withHexarch(() => Response.redirect("http://localhost/elsewhere", 303), { guardian: guardianFor(), secret: SECRET });
    const response = await call(route, "/");
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("http://localhost/elsewhere");
    expect(response.headers.get("ratelimit")).toMatch(/^"rate_limit";r=99;/);
  });

  it("the handler can still read the body after a token was checked against it", async () => {
    const route = withHexarch(async (request) => Response.json({ received: await request.json() }), {
      guardian: guardianFor(`policies:\n  - id: careful\n    rules:\n      - operation: create\n        action: require_confirmation\n`),
      secret: SECRET,
    });
    const first = await call(route, "/items", { method: "POST", json: { name: "a", n: 1 } });
    const { confirm } = (await first.json()) as { confirm: { token: string } };
    const second = await call(route, "/items", {
      method: "POST",
      json: { n: 1, name: "a" },
      headers: { "hexarch-confirm": confirm.token },
    });
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual({ received: { n: 1, name: "a" } });
  });

  it("a token for a JSON body does not confirm a text body with other content", async () => {
    const route = withHexarch(ok, {
      guardian: guardianFor(`policies:\n  - id: careful\n    rules:\n      - action: require_confirmation\n`),
      secret: SECRET,
    });
    const first = await call(route, "/items", { method: "PUT", json: { a: 1 } });
    const { confirm } = (await first.json()) as { confirm: { token: string } };
    const other = await call(route, "/items", {
      method: "PUT",
      body: "a=2",
      headers: { "content-type": "text/plain", "hexarch-confirm": confirm.token },
    });
    expect(other.status).toBe(428);
    expect(((await other.json()) as { confirm: { rejected: string } }).confirm.rejected).toBe("invalid");
  });

  it("onDecision sees every decision with the request; onDenied replaces the answer", async () => {
    const seen: string[] = [];
    const route = withHexarch(ok, {
      guardian: guardianFor(perMinute(1)),
      secret: SECRET,
      onDecision: (decision, request) => seen.push(`${request.method} ${decision.outcome}`),
      onDenied: ({ answer, decision }) =>
        new Response(`no: ${decision.policyId}`, { status: 418, headers: { "retry-after": answer.headers["Retry-After"] ?? "" } }),
    });
    await call(route, "/");
    const denied = await call(route, "/", { method: "POST" });
    expect(denied.status).toBe(418);
    expect(await denied.text()).toBe("no: per_minute");
    expect(denied.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(seen).toEqual(["GET allow", "POST limit"]);
  });

  it("skip leaves matching requests alone: no decision, no counting, no headers", async () => {
    const onDecision = vi.fn();
    const route = withHexarch(ok, {
      guardian: guardianFor(perMinute(1)),
      secret: SECRET,
      skip: (request) => new URL(request.url).pathname === "/health",
      onDecision,
    });
    expect(await statusesOf(route, [{ path: "/health" }, { path: "/health" }, { path: "/items" }])).toEqual([200, 200, 200]);
    expect((await call(route, "/health")).headers.get("ratelimit")).toBeNull();
    expect(onDecision).toHaveBeenCalledTimes(1);
  });

  it("facts come from the request: resource, cost and user as functions of it", async () => {
    const route = withHexarch(ok, {
      guardian: guardianFor(`policies:\n  - id: per_user\n    rules:\n      - requests_per_minute: 1\n        key: user\n`),
      secret: SECRET,
      user: (request) => request.headers.get("x-user") ?? undefined,
    });
    const as = (user: string) => ({ headers: { "x-user": user } });
    expect(await statusesOf(route, [as("ada"), as("grace"), as("ada")])).toEqual([200, 200, 429]);
  });

  it("works with NextRequest, the class Next passes to route handlers", async () => {
    const route = withHexarch(async (request: NextRequest) => Response.json({ path: request.nextUrl.pathname }), {
      guardian: guardianFor(),
      secret: SECRET,
      policy: "safe_delete",
    });
    const first = await route(new NextRequest("http://localhost/users/1", { method: "DELETE" }), { params: Promise.resolve({}) });
    expect(first.status).toBe(428);
    const token = ((await first.json()) as { confirm: { token: string } }).confirm.token;
    const second = await route(new NextRequest("http://localhost/users/1", { method: "DELETE", headers: { "hexarch-confirm": token } }), {
      params: Promise.resolve({}),
    });
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual({ path: "/users/1" });
  });
});
