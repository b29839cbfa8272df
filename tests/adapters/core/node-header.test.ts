// nodeRequestHeader reads rawHeaders, and must agree with what Node itself puts in req.headers.
import { createServer, type IncomingMessage } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeRequestHeader } from "../../../src/adapters/core/node-request-view.js";

/** Sends a raw HTTP request (header lines exactly as given) and hands back the request Node parsed. */
let received: (lines: readonly string[]) => Promise<IncomingMessage>;
const server = createServer();

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  received = (lines) =>
    new Promise((resolve) => {
      server.once("request", (req: IncomingMessage, res) => {
        resolve(req);
        res.end();
      });
      const socket = connect(port, "127.0.0.1", () =>
        socket.end(`GET / HTTP/1.1\r\nHost: x\r\n${lines.map((l) => `${l}\r\n`).join("")}Connection: close\r\n\r\n`),
      );
      socket.resume();
    });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("nodeRequestHeader", () => {
  it("agrees with req.headers whatever the case and however often the field is repeated", async () => {
    const cases: readonly (readonly string[])[] = [
      [],
      ["Hexarch-Confirm: abc"],
      ["HEXARCH-CONFIRM: abc"],
      ["hexarch-confirm: a", "X-Other: b", "Hexarch-Confirm: c"],
      ["Hexarch-Confirmation: not-this-one", "X-Hexarch-Confirm: nor-this"],
    ];
    for (const lines of cases) {
      const req = await received(lines);
      const ours = nodeRequestHeader(req, "hexarch-confirm");
      expect(ours).toBe(req.headers["hexarch-confirm"]);
    }
  });

  it("finds a repeated field joined with a comma, as Node joins it", async () => {
    expect(nodeRequestHeader(await received(["Hexarch-Confirm: one", "hexarch-confirm: two"]), "hexarch-confirm")).toBe("one, two");
  });

  it("falls back to headers for a request object without rawHeaders", () => {
    expect(nodeRequestHeader({ headers: { "hexarch-confirm": "t" } }, "hexarch-confirm")).toBe("t");
    expect(nodeRequestHeader({ headers: { "x-list": ["a", "b"] } }, "x-list")).toBe("a, b");
    expect(nodeRequestHeader({ headers: {} }, "hexarch-confirm")).toBeUndefined();
  });
});
