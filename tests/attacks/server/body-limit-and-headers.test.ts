// Attacks on the server's cheap edge: bodies sent without a length, lying lengths, and answers that might miss their headers.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STANDARD_HEADERS } from "../../../src/server/standard-headers.js";
import { startTestServer, type TestServer } from "../../server/serve-support.js";
import { bearer, keyFor, sendRaw } from "./attack-support.js";

/** POSTs `chunks` as a chunked body (no Content-Length), one write each; the status and body text. */
function postChunked(url: string, path: string, chunks: readonly string[], headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string; headers: Record<string, unknown> }>((resolve, reject) => {
    const req = request(`${url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    // The server may answer and close before the whole body is written; what it answered is what the test reads.
    req.on("error", (error: NodeJS.ErrnoException) => (error.code === "EPIPE" || error.code === "ECONNRESET" ? undefined : reject(error)));
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

let t: TestServer;
let key: string;
beforeAll(async () => {
  t = await startTestServer(undefined, { bodyLimit: 4096 });
  key = keyFor(t, "app", "decide");
});
afterAll(() => t.stop());

describe("a body sent without a Content-Length", () => {
  it("is counted as it arrives and refused 413 past the limit", async () => {
    const filler = "x".repeat(1000);
    const chunks = ['{"context":{"resource":"', ...Array.from({ length: 10 }, () => filler), '"}}'];
    const answer = await postChunked(t.server.url, "/v1/decisions", chunks, bearer(key));
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ type: "urn:hexarch:problem:body-too-large", status: 413 });
  });

  it("is decided as usual when it stays under the limit", async () => {
    const answer = await postChunked(t.server.url, "/v1/decisions", ['{"context":', '{"resource":"db"}}'], bearer(key));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ outcome: "allow", allowed: true });
  });
});

describe("a Content-Length", () => {
  it("over the limit is refused 413 before the body is read, even with no body behind it", async () => {
    const answer = await sendRaw(t.server.url, "POST", "/v1/decisions", {
      ...bearer(key),
      "content-type": "application/json",
      "content-length": "999999999",
    });
    expect(answer.status).toBe(413);
  });

  it("on a GET over the limit is refused 413 too", async () => {
    const answer = await sendRaw(t.server.url, "GET", "/health", { "content-length": "5000" });
    expect(answer.status).toBe(413);
  });
});

describe("every answer carries the security headers and a request id", () => {
  const paths: readonly [string, () => Promise<{ status: number; headers: Headers }>][] = [
    ["a 200", () => t.get("/health")],
    ["a 401", () => t.post("/v1/decisions", { context: {} })],
    ["a 404", () => t.get("/nowhere")],
    ["a 400", () => t.post("/v1/decisions", "{not json", bearer(key))],
  ];
  for (const [what, call] of paths)
    it(`on ${what}`, async () => {
      const answer = await call();
      for (const [name, value] of STANDARD_HEADERS) expect(answer.headers.get(name), name).toBe(value);
      expect(answer.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    });

  it("replaces a caller's request id that is too long or holds other characters", async () => {
    for (const bad of ["a".repeat(129), "id with spaces", "id;evil", "<script>"]) {
      const answer = await t.get("/health", { "x-request-id": bad });
      expect(answer.headers.get("x-request-id"), bad).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect((await t.get("/health", { "x-request-id": "a".repeat(128) })).headers.get("x-request-id")).toBe("a".repeat(128));
  });

  it("names the request id in a problem body", async () => {
    const answer = await t.get("/nowhere", { "x-request-id": "trace-7" });
    expect(answer.body.request_id).toBe("trace-7");
  });
});
