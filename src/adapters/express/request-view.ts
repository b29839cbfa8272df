// An Express request as the core reads it.
import type { NextFunction, Request, Response } from "express";
import { RequestLedger } from "../core/index.js";
import { nodeRequestHeader } from "../core/node-header.js";
import { NodeRequestView } from "../core/node-request-view.js";
import type { ProxySight, ProxyTrust } from "../core/request-warnings.js";

/** One of the app's settings (`app.set(name, value)`), which Express types as `any`. */
function appSetting(req: Request, name: string): unknown {
  return (req.app?.settings as Record<string, unknown> | undefined)?.[name];
}

/** Express's `trust proxy` setting as it was given: `true` trusts every hop; `false` or unset none. */
function proxyTrust(setting: unknown): ProxyTrust {
  return setting === true ? "all" : setting === false || setting === undefined ? "none" : "some";
}

/**
 * An Express request: the client is `req.ip` (so `trust proxy` decides about X-Forwarded-For; with it off, the
 * socket's address, read directly to skip proxy parsing). Carries the response and `next` the answer goes through;
 * the ledger is `res.locals.hexarch`.
 */
export class ExpressRequestView extends NodeRequestView<Request> {
  declare readonly res: Response;
  declare readonly next: NextFunction;

  constructor(req: Request, res: Response, next: NextFunction) {
    const ledger = (res.locals.hexarch as RequestLedger | undefined) ?? (res.locals.hexarch = new RequestLedger());
    super(req, req, ledger, req.originalUrl, appSetting(req, "trust proxy") === false ? undefined : req.ip);
    this.res = res;
    this.next = next;
  }

  body(): unknown {
    return this.request.body as unknown;
  }

  proxySight(): ProxySight {
    const req = this.request;
    return {
      trust: proxyTrust(appSetting(req, "trust proxy")),
      forwardedFor: nodeRequestHeader(req, "x-forwarded-for"),
      peer: this.peerAddress,
    };
  }
}
