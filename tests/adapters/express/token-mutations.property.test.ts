// Adversarial property: a confirmation token altered in any way, or sent with any other request, never runs the handler.
import type { Server } from "node:http";
import fc from "fast-check";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hexarch } from "../../../src/adapters/express.js";
import { appWith, guardianFor, SECRET } from "./app.js";

/** Fixed in CI so a failure replays; random elsewhere so local runs keep exploring. */
const RUNS = { numRuns: 200, ...(process.env["CI"] === "true" ? { seed: 15_07 } : {}) };

const CONFIRM_ALL = `policies:\n  - id: careful\n    rules:\n      - action: require_confirmation\n`;

const BASE = {
  method: "POST",
  path: "/items/7",
  query: "?force=1&mode=hard",
  body: { name: "x", tags: ["a", "b"], nested: { deep: [1, { leaf: "harmless" }] } } as Record<string, unknown>,
  client: "198.51.100.7",
};
type Shape = typeof BASE;

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const TOKEN_ALPHABET = `${BASE64URL}.,`;

/** One edit of the token text that always changes it. */
const tokenEdit = fc
  .tuple(
    fc.constantFrom("replace", "delete", "insert", "truncate", "swap-parts", "spare-bits"),
    fc.nat(),
    fc.constantFrom(...TOKEN_ALPHABET),
  )
  .map(([op, at, char]) => (token: string): string => {
    const i = at % token.length;
    switch (op) {
      case "replace":
        return token.slice(0, i) + (token[i] === char ? (char === "A" ? "B" : "A") : char) + token.slice(i + 1);
      case "delete":
        return token.slice(0, i) + token.slice(i + 1);
      case "insert":
        return token.slice(0, i) + char + token.slice(i);
      case "truncate":
        return token.slice(0, Math.max(i, 1) - 1);
      case "spare-bits":
        return token.slice(0, -1) + BASE64URL[BASE64URL.indexOf(token.at(-1) as string) ^ (1 + (at % 3))];
      default: {
        const parts = token.split(".");
        const a = at % parts.length;
        const b = (a + 1) % parts.length;
        [parts[a], parts[b]] = [parts[b] as string, parts[a] as string];
        return parts.join(".");
      }
    }
  });

/** Changes of one request dimension that always make it another request (never only a key order). */
const requestEdit = fc.oneof(
  fc.constantFrom("GET", "PUT", "PATCH", "DELETE").map((method) => (s: Shape): Shape => ({ ...s, method })),
  fc
    .constantFrom("/items/8", "/Items/7", "/items/7/", "/items//7", "/items/%37", "/items/7/../7", "/items/7.json", "/other/7")
    .map((path) => (s: Shape): Shape => ({ ...s, path })),
  fc
    .constantFrom("", "?force=1", "?force=0&mode=hard", "?mode=hard&force=1", "?force=1&mode=hard&x=1", "?force=1&mode=soft")
    .map((query) => (s: Shape): Shape => ({ ...s, query })),
  fc.constantFrom("198.51.100.8", "203.0.113.7", "2001:db8::7").map((client) => (s: Shape): Shape => ({ ...s, client })),
  fc
    .constantFrom<(b: Record<string, unknown>) => Record<string, unknown>>(
      (b) => ({ ...b, name: "y" }),
      (b) => ({ ...b, extra: true }),
      (b) => ({ name: b["name"], tags: b["tags"] }),
      (b) => ({ ...b, tags: ["a"] }),
      (b) => ({ ...b, tags: ["b", "a"] }),
      (b) => ({ ...b, nested: { deep: [1, { leaf: "DROP TABLE users" }] } }),
      (b) => ({ ...b, nested: { deep: ["1", { leaf: "harmless" }] } }),
      (b) => ({ ...b, nested: { deep: [1, { leaf: "harmless", more: null }] } }),
    )
    .map((edit) => (s: Shape): Shape => ({ ...s, body: edit(s.body) })),
);

/** At least one change: to the token, to the request, or both. */
const mutation = fc
  .record({ token: fc.option(tokenEdit, { nil: undefined }), edits: fc.array(requestEdit, { maxLength: 3 }) })
  .filter(({ token, edits }) => token !== undefined || edits.length > 0);

function send(server: Server, shape: Shape, token: string) {
  const method = shape.method.toLowerCase() as "get" | "put" | "patch" | "delete" | "post";
  return request(server)
    [method](shape.path + shape.query)
    .set("X-Forwarded-For", shape.client)
    .set("Hexarch-Confirm", token)
    .send(shape.body);
}

describe("confirmation tokens under random mutation", () => {
  let server: Server;
  let handled: () => number;
  let token: string;

  beforeAll(async () => {
    const built = appWith(hexarch({ guardian: guardianFor(CONFIRM_ALL), secret: SECRET }), (app) => app.set("trust proxy", true));
    handled = built.handled;
    server = built.app.listen(0, "127.0.0.1");
    const first = await request(server)
      .post(BASE.path + BASE.query)
      .set("X-Forwarded-For", BASE.client)
      .send(BASE.body);
    expect(first.status).toBe(428);
    token = first.body.confirm.token as string;
  });

  afterAll(() => {
    server.close();
  });

  it("never runs the handler for a mutated token or a request other than the one it was issued for", async () => {
    await fc.assert(
      fc.asyncProperty(mutation, async ({ token: editToken, edits }) => {
        const shape = edits.reduce((s, edit) => edit(s), BASE);
        const answer = await send(server, shape, editToken === undefined ? token : editToken(token));
        expect(answer.status).not.toBe(200);
        expect(handled()).toBe(0);
      }),
      RUNS,
    );
    // The untouched token still confirms the untouched request: the refusals above were the mutations' doing.
    expect((await send(server, BASE, token)).status).toBe(200);
    expect(handled()).toBe(1);
  });
});
