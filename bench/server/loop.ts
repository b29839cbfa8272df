// A fixed amount of in-process decision-server work for instructions.ts to count and for timing without sockets:
// `loop.ts <health|decisions> <requests>`. Each request is a real Node IncomingMessage (with its JSON body) and
// ServerResponse, handed to the request listener `hexarch serve` runs on; the answer is written into the response's
// buffer, never to a socket, so the kernel's share of a real request is left out.
import http from "node:http";
import net from "node:net";
import { getRequestListener } from "@hono/node-server";
import type { Hono } from "hono";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "../../src/server/start.js";
import type { ServerEnv } from "../../src/server/server-deps.js";
import { BENCH_POLICIES, BENCH_SECRET } from "../policies.js";
import { BENCH_BODY, BENCH_TOKEN } from "./request.js";

const [variant = "decisions", requests = "10000"] = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), "hexarch-bench-serve-loop-"));
writeFileSync(join(dir, "hexarch.yaml"), BENCH_POLICIES);
let app: Hono<ServerEnv> | undefined;
const silent = { info() {}, warn() {}, error() {} };
const server = await startServer({
  policyFile: join(dir, "hexarch.yaml"),
  port: 0,
  apiToken: BENCH_TOKEN,
  callerLimit: 1_000_000,
  logger: silent,
  env: { HEXARCH_SECRET: BENCH_SECRET },
  cwd: dir,
  routes: (routes) => void (app = routes),
});
if (app === undefined) throw new Error("startServer did not hand its app to routes()");
const listener = getRequestListener(app.fetch);
const body = Buffer.from(BENCH_BODY);
const headers =
  variant === "health"
    ? ["Host", "127.0.0.1", "Accept", "*/*"]
    : [
        "Host",
        "127.0.0.1",
        "Content-Type",
        "application/json",
        "Authorization",
        `Bearer ${BENCH_TOKEN}`,
        "Content-Length",
        String(body.length),
      ];
// 20 connections as in the HTTP bench.
const sockets = Array.from({ length: 20 }, () => new net.Socket());

function request(i: number): { req: http.IncomingMessage; res: http.ServerResponse } {
  const req = new http.IncomingMessage(sockets[i % sockets.length] as net.Socket);
  req.method = variant === "health" ? "GET" : "POST";
  req.url = variant === "health" ? "/health" : "/v1/decisions";
  req.httpVersionMajor = 1;
  req.httpVersionMinor = 1;
  req.rawHeaders = headers;
  for (let h = 0; h < headers.length; h += 2) req.headers[(headers[h] as string).toLowerCase()] = headers[h + 1];
  if (variant !== "health") req.push(body);
  req.push(null);
  return { req, res: new http.ServerResponse(req) };
}

// Rounds of 20 (one per connection), each finished before the next, as in the Koa loop: the heap holds one round.
let ok = 0;
const started = process.cpuUsage();
for (let i = 0; i < Number(requests); i += sockets.length) {
  const round = Array.from({ length: Math.min(sockets.length, Number(requests) - i) }, async (_, j) => {
    const { req, res } = request(i + j);
    await listener(req, res);
    if (res.statusCode === 200) ok += 1;
  });
  await Promise.all(round);
}
const spent = process.cpuUsage(started);
console.log(`${variant}: ${((spent.user + spent.system) / Number(requests)).toFixed(2)} µs of CPU per request`);
if (ok !== Number(requests)) throw new Error(`${Number(requests) - ok} of ${requests} requests were not answered 200`);
await server.close();
