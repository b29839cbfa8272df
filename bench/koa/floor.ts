// The Koa form of the benches' floor: count the request against its peer address, write the two fields, go on.
import type { Middleware } from "koa";
import { countAndTell, type Counter } from "../floor.js";

/** A Koa middleware doing only what bench/floor.ts's countAndTell does. */
export function koaFloor(count: Counter): Middleware {
  return function floorMiddleware(ctx, next) {
    countAndTell(count, ctx.req.socket.remoteAddress, ctx.res);
    return next();
  };
}
