// An Express request as the core reads it.
import type { NextFunction, Request, Response } from "express";
import { RequestLedger, type AdapterView } from "../core/index.js";
import { nodeRequestHeader } from "../core/node-header.js";
import { announcesBody, type ProxySight, type ProxyTrust } from "../core/request-warnings.js";

/** One of the app's settings (`app.set(name, value)`), which Express types as `any`. */
function appSetting(req: Request, name: string): unknown {
  return (req.app?.settings as Record<string, unknown> | undefined)?.[name];
}

/** Express's `trust proxy` setting as it was given: `true` trusts every hop; `false` or unset none. */
function proxyTrust(setting: unknown): ProxyTrust {
  return setting === true ? "all" : setting === false || setting === undefined ? "none" : "some";
}

/**
 * Method, URL, `req.ip` (so `trust proxy` decides about X-Forwarded-For) and the socket's address, read once as the
 * view is made; headers and the parsed body when the core asks. Paths compare without case: the app's `case
 * sensitive routing` setting reaches only the app's own router, a `Router()` made with defaults matches without
 * case, and the middleware cannot see which router will serve a request (folding can only widen a rule). Carries
 * the response and `next` the answer goes through, and the request's ledger (`res.locals.hexarch`).
 */
export class ExpressRequestView implements AdapterView<Request> {
  // Declared, not initialized: the constructor sets each field once, with no field initializer to run per request.
  declare readonly request: Request;
  declare readonly res: Response;
  declare readonly next: NextFunction;
  declare readonly ledger: RequestLedger;
  declare readonly method: string;
  declare readonly url: string;
  declare readonly clientAddress: string | undefined;
  declare readonly peerAddress: string | undefined;
  declare readonly caseSensitive: boolean;

  constructor(req: Request, res: Response, next: NextFunction) {
    const peer = req.socket.remoteAddress;
    this.request = req;
    this.res = res;
    this.next = next;
    this.ledger = (res.locals.hexarch as RequestLedger | undefined) ?? (res.locals.hexarch = new RequestLedger());
    this.method = req.method;
    this.url = req.originalUrl;
    // `req.ip`; when `trust proxy` is off that is the socket's peer address, read directly to skip proxy parsing.
    this.clientAddress = appSetting(req, "trust proxy") === false ? peer : req.ip;
    this.peerAddress = peer;
    this.caseSensitive = false;
  }

  header(name: string): string | undefined {
    return nodeRequestHeader(this.request, name);
  }

  body(): unknown {
    return this.request.body as unknown;
  }

  proxySight(): ProxySight {
    const req = this.request;
    return {
      trust: proxyTrust(appSetting(req, "trust proxy")),
      forwardedFor: nodeRequestHeader(req, "x-forwarded-for"),
      peer: req.socket.remoteAddress,
    };
  }

  bodyUnseen(): boolean {
    return this.request.body === undefined && announcesBody(this.request.headers);
  }
}
