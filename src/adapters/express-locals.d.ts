// Types `res.locals.hexarch` in Express. One file for ESM and CommonJS programs alike: express.d.ts and express.d.cts
// both re-export from it, so a program loading both declares `hexarch` once (no TS2717).
import type { RequestHandle } from "./express.js";

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      /** Set by hexarch()/guard(): this request's decisions, `charge(cost or usage)` and `release()`. */
      hexarch?: RequestHandle;
    }
  }
}

/**
 * What hexarch adds to Express's `res.locals`.
 * @example const handle = (res.locals as HexarchLocals).hexarch;
 */
export type HexarchLocals = Pick<Express.Locals, "hexarch">;
