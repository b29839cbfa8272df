// A fixed amount of in-process Koa work for instructions.ts to count: `loop.ts <variant> <requests>`. Each request
// gets real Node IncomingMessage/ServerResponse objects and a Koa context, and passes one middleware.
import http from "node:http";
import net from "node:net";
import Koa, { type Middleware } from "koa";
import type * as KoaAdapter from "../../src/adapters/koa.js";
import { limiterCounter } from "../floor.js";
import { BENCH_DIST } from "../http-load.js";
import { BENCH_POLICIES, BENCH_SECRET } from "../policies.js";
import { koaFloor } from "./floor.js";

const [variant = "hexarch", requests = "10000"] = process.argv.slice(2);

function middlewareOf(name: string): Middleware {
  if (name === "bare") return (_ctx, next) => next();
  if (name === "floor-rlf") return koaFloor(limiterCounter());
  throw new Error(`unknown variant ${name}`);
}

const middleware =
  variant === "hexarch"
    ? ((await import(`${BENCH_DIST}koa.js`)) as typeof KoaAdapter).hexarch({ policyText: BENCH_POLICIES, secret: BENCH_SECRET })
    : middlewareOf(variant);
const app = new Koa();
// 50 connections as in the HTTP bench, each with its own copy of the peer address string.
const sockets = Array.from({ length: 50 }, () => {
  const socket = new net.Socket();
  const address = ["127", "0", "0", "1"].join(".");
  Object.defineProperty(socket, "remoteAddress", { get: () => address });
  return socket;
});
const next = async (): Promise<void> => {};
let fields = 0;
// Requests go in rounds of 50 (one per connection), each round finished before the next starts: the heap then holds
// one round's objects at a time, as a server does, not every request of the run (which made the garbage collector's
// work, and the counts, grow with the run's length and swing by a third between runs).
let round: Promise<void>[] = [];
for (let i = 0; i < Number(requests); i++) {
  const req = new http.IncomingMessage(sockets[i % sockets.length] as net.Socket);
  req.method = "GET";
  req.url = "/items";
  req.headers = { host: "127.0.0.1", accept: "*/*" };
  const res = new http.ServerResponse(req);
  round.push(middleware(app.createContext(req, res), next) as Promise<void>);
  if (round.length === sockets.length) {
    await Promise.all(round);
    round = [];
  }
  fields += res.getHeaderNames().length;
}
await Promise.all(round);
if (variant !== "bare" && fields !== 2 * Number(requests)) throw new Error(`expected two header fields per request, counted ${fields}`);
