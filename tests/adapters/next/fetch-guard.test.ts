// The framework-free Fetch guard under withHexarch: check() verdicts, finish(), handles and set-up rules.
import { describe, expect, it } from "vitest";
import { createFetchGuard } from "../../../src/adapters/fetch.js";
import { PolicyConfigError } from "../../../src/errors/config-error.js";
import { guardianFor, perMinute, QUICK_START, SECRET } from "./route.js";

describe("createFetchGuard", () => {
  it("a refusal is a ready problem+json Response; a pass carries the handle and finish() adds the headers", async () => {
    const guard = createFetchGuard({ policyText: QUICK_START, secret: SECRET, resource: "openai", cost: 4, policy: ["api_budget"] });
    const first = await guard.check(new Request("http://localhost/chat", { method: "POST" }));
    if (!first.proceed) throw new Error("the first call is within budget");
    await first.handle.charge(7);
    const finished = first.finish(new Response("reply"));
    expect(finished.headers.get("hexarch-budget-warning")).toBeNull();
    expect(first.decision?.outcome).toBe("allow");

    const second = await guard.check(new Request("http://localhost/chat", { method: "POST" }));
    expect(second.proceed).toBe(false);
    if (second.proceed) return;
    expect(second.response.status).toBe(429);
    expect(second.response.headers.get("content-type")).toBe("application/problem+json");
    expect(second.response.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
    expect(await second.response.json()).toMatchObject({
      type: "urn:hexarch:problem:budget-exhausted",
      policy: "api_budget",
      kind: "budget",
    });
  });

  it("options that create a guardian create one; an unknown policy id is refused at construction", () => {
    const guard = createFetchGuard({ policyText: perMinute(3), secret: SECRET });
    expect([...guard.guardian.policies.policies.keys()]).toEqual(["per_minute"]);
    expect(() => createFetchGuard({ guardian: guardianFor(), policy: "nope" })).toThrow(PolicyConfigError);
    expect(() => createFetchGuard({ guardian: guardianFor(), policyFile: "x.yaml" })).toThrow(
      /guardian was given together with policyFile/,
    );
  });

  it("a skipped request proceeds with an empty handle and its response unchanged", async () => {
    const guard = createFetchGuard({ guardian: guardianFor(perMinute(1)), secret: SECRET, skip: () => true });
    const verdict = await guard.check(new Request("http://localhost/"));
    if (!verdict.proceed) throw new Error("skipped requests proceed");
    const response = new Response("x");
    expect(verdict.decision).toBeUndefined();
    expect(verdict.handle.decisions).toEqual([]);
    expect(verdict.finish(response)).toBe(response);
  });
});

describe("checkNow", () => {
  it("hands back the verdict itself on the memory store; a promise when a confirmation token is issued or redeemed", async () => {
    const guard = createFetchGuard({ guardian: guardianFor(), secret: SECRET });
    const plain = guard.checkNow(new Request("http://localhost/items"));
    expect(plain).not.toBeInstanceOf(Promise);
    expect((plain as { proceed: boolean }).proceed).toBe(true);

    const asked = guard.checkNow(new Request("http://localhost/users/7", { method: "DELETE" }));
    expect(asked).toBeInstanceOf(Promise);
    const refusal = await asked;
    if (refusal.proceed) throw new Error("a DELETE is asked for confirmation");
    const { confirm } = (await refusal.response.json()) as { confirm: { token: string } };
    const confirmed = guard.checkNow(
      new Request("http://localhost/users/7", { method: "DELETE", headers: { "hexarch-confirm": confirm.token } }),
    );
    expect(confirmed).toBeInstanceOf(Promise);
    expect((await confirmed).proceed).toBe(true);
  });

  it("waits for an asynchronous onDenied, whose Response becomes the refusal", async () => {
    const guard = createFetchGuard({
      guardian: guardianFor(perMinute(1)),
      secret: SECRET,
      onDenied: async ({ decision }) => new Response(decision.outcome, { status: 418 }),
    });
    expect((await guard.checkNow(new Request("http://localhost/items"))).proceed).toBe(true);
    const verdict = await guard.checkNow(new Request("http://localhost/items"));
    if (verdict.proceed) throw new Error("one request per minute");
    expect([verdict.response.status, await verdict.response.text()]).toEqual([418, "limit"]);
  });
});
