// Types `ctx.state.hexarch` in Koa. One file for ESM and CommonJS programs alike: koa.d.ts and koa.d.cts both
// re-export from it, so a program loading both declares `hexarch` once (no TS2717).
import type { DefaultState } from "koa";
import type { RequestHandle } from "./koa.js";

declare module "koa" {
  interface DefaultState {
    /** Set by hexarch()/guard(): this request's decisions, `charge(cost or usage)` and `release()`. */
    hexarch?: RequestHandle;
  }
}

/**
 * What hexarch adds to Koa's `ctx.state`.
 * @example const handle = (ctx.state as HexarchState).hexarch;
 */
export type HexarchState = Pick<DefaultState, "hexarch">;
