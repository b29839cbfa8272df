// Attack: stall the event loop with a slow request while a burst is in flight, hoping fail: open admits it unchecked.
import { createServer, type Server } from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, expect, it } from "vitest";
import { hexarch } from "../../../src/adapters/express.js";
import { createGuardian, RedisStore, type Guardian } from "../../../src/index.js";
import { listening } from "../../adapters/path-spellings.js";
import { describeWithRedis, suiteRedisClient, uniquePrefix } from "../../support/redis.js";

const TIMEOUT_MS = 100;
const LIMIT = 10;
const BURST = 40;

/** Keeps the CPU busy without yielding, as a slow synchronous handler does. */
function blockFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/** Opens one connection per path, then writes every request in one turn: they reach the server together, in order. */
async function together(server: Server, paths: readonly string[]): Promise<number[]> {
  const { port } = server.address() as AddressInfo;
  const sockets = await Promise.all(
    paths.map(
      () =>
        new Promise<net.Socket>((resolve, reject) => {
          const socket = net.connect(port, "127.0.0.1", () => resolve(socket));
          socket.on("error", reject);
        }),
    ),
  );
  const answers = sockets.map(
    (socket) =>
      new Promise<number>((resolve) => {
        let received = "";
        socket.setEncoding("utf8");
        socket.on("data", (chunk: string) => (received += chunk));
        socket.on("end", () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? "0")));
      }),
  );
  sockets.forEach((socket, i) => socket.write(`GET ${paths[i]} HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n`));
  return Promise.all(answers);
}

describeWithRedis("a stalled event loop under fail: open", "any", () => {
  const client = suiteRedisClient();
  let guardian: Guardian;
  let server: Server;
  let admitted = 0;

  beforeAll(async () => {
    const store = new RedisStore({ client: client(), prefix: uniquePrefix("attack-stall"), timeoutMs: TIMEOUT_MS });
    const policies = `policies:\n  - id: api\n    fail: open\n    rules:\n      - requests_per_minute: ${LIMIT}\n        key: global\n`;
    guardian = createGuardian({ policyText: policies, env: {}, store });
    const app = express();
    // The attacker's slow request is served before hexarch, in the same turn as the burst it arrives with.
    app.get("/slow", (_req, res) => {
      blockFor(3 * TIMEOUT_MS);
      res.send("slow");
    });
    app.use(hexarch({ guardian, secret: "attack-stall-secret-0123456789" }));
    app.get("/work", (_req, res) => {
      admitted++;
      res.send("work");
    });
    server = (await listening(createServer(app))) as Server;
    await guardian.check("api", { route: "/warm-up" }); // loads the scripts; counts as one call
  });
  afterAll(async () => {
    server?.close();
    await guardian?.close();
  });

  it("a burst in flight while a slow request blocks the loop for 3 × timeoutMs is still held to the limit", async () => {
    const statuses = await together(server, [...Array.from({ length: BURST }, () => "/work"), "/slow"]);
    expect(statuses).toHaveLength(BURST + 1);
    expect(statuses.filter((status) => status === 429)).toHaveLength(BURST - (LIMIT - 1));
    expect(admitted).toBe(LIMIT - 1);
  });
});
