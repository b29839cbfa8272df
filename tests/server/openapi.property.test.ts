// Requests generated from /openapi.json (valid, mutated, random): never a 5xx, never a crash, every 4xx a problem body.
import fc from "fast-check";
import { Agent, request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { arbitraryFor, mutated, type SchemaNode } from "./json-schema-arbitrary.js";
import { startTestServer, type TestServer } from "./serve-support.js";

/** Requests per run, sent at once; runs: 200 in CI (10,000 requests, fixed seed), 20 locally. */
const BATCH = 50;
const RUNS = process.env["CI"] === "true" ? 200 : 20;

let t: TestServer;
/** Keep-alive connections for the generated requests: node:http costs about half of fetch per request here. */
const agent = new Agent({ keepAlive: true, maxSockets: BATCH });

/** POSTs `text` as JSON over a kept-alive connection: status, content type and parsed body. */
function send(path: string, text: string): Promise<{ status: number; type: string | undefined; body: { status?: number } }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${t.server.url}${path}`,
      { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(text) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            type: res.headers["content-type"],
            body: JSON.parse(Buffer.concat(chunks).toString()) as { status?: number },
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(text);
  });
}
let operations: { path: string; body: fc.Arbitrary<unknown> }[];

beforeAll(async () => {
  t = await startTestServer(undefined, { callerLimit: 0 });
  const doc = (await t.get("/openapi.json")).body as {
    paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { $ref?: string } }> } }>>;
    components: { schemas: Record<string, SchemaNode> };
  };
  operations = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    const ref = item["post"]?.requestBody?.content["application/json"]?.schema.$ref;
    if (ref === undefined) continue;
    const schema = doc.components.schemas[ref.split("/").at(-1) as string] as SchemaNode;
    const valid = arbitraryFor(schema);
    const concrete = path.replace("{id}", "d_AAAAAAAAAAAAAAAA");
    operations.push({ path: concrete, body: fc.oneof(valid, mutated(valid), fc.jsonValue({ maxDepth: 3 })) });
  }
});
afterAll(async () => {
  agent.destroy();
  await t.stop();
});

describe("requests generated from the OpenAPI document", () => {
  it("knows every POST route", () => {
    expect(operations.map((o) => o.path).sort()).toEqual([
      "/authorize",
      "/events/provider-calls",
      "/v1/approvals/d_AAAAAAAAAAAAAAAA/approve",
      "/v1/approvals/d_AAAAAAAAAAAAAAAA/deny",
      "/v1/decisions",
      "/v1/decisions/d_AAAAAAAAAAAAAAAA/settle",
      "/v1/events/provider-calls",
      "/v1/explain",
      "/v1/keys",
    ]);
  });

  it("documents every status a settle answers: 403 for another key's decision, 404 for an unknown id, 409 when settled", async () => {
    const doc = (await t.get("/openapi.json")).body as { paths: Record<string, { post: { responses: Record<string, unknown> } }> };
    const settle = Object.keys(doc.paths["/v1/decisions/{id}/settle"]?.post.responses ?? {});
    expect(settle).toEqual(expect.arrayContaining(["200", "400", "401", "403", "404", "409"]));
    const event = Object.keys(doc.paths["/v1/events/provider-calls"]?.post.responses ?? {});
    expect(event).toEqual(expect.arrayContaining(["200", "400", "401", "403", "404"]));
  });

  it("never answer 5xx, and every 4xx is a problem body with its status", async () => {
    const request = fc.oneof(
      ...operations.map((op) => op.body.map((body) => ({ path: op.path, text: JSON.stringify(body) }))),
      fc.record({ path: fc.constantFrom(...operations.map((o) => o.path)), text: fc.string({ maxLength: 64 }) }),
    );
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        const answers = await Promise.all(batch.map((r) => send(r.path, r.text)));
        for (const answer of answers) {
          seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1);
          expect(answer.status).toBeLessThan(500);
          if (answer.status >= 400) {
            expect(answer.type).toBe("application/problem+json");
            expect(answer.body.status).toBe(answer.status);
          }
        }
      }),
      { numRuns: RUNS },
    );
    // Both accepted and refused requests were generated, so the property exercised the deciding path.
    expect(seen.get(200) ?? 0).toBeGreaterThan(0);
    expect(seen.get(400) ?? 0).toBeGreaterThan(0);
  }, 120_000);
});
