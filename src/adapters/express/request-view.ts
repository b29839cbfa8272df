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
 * Method, URL, headers, `req.ip` (so `trust proxy` decides about X-Forwarded-For), the socket's address and the
 * parsed body, each read when the core asks; paths compare without case (see `caseSensitive`). Carries the
 * response and `next` the answer goes through, and the request's ledger (`res.locals.hexarch`).
 */
export class ExpressRequestView implements AdapterView<Request> {
  readonly request: Request;
  readonly res: Response;
  readonly next: NextFunction;
  readonly ledger: RequestLedger;

  constructor(req: Request, res: Response, next: NextFunction) {
    this.request = req;
    this.res = res;
    this.next = next;
    this.ledger = (res.locals.hexarch as RequestLedger | undefined) ?? (res.locals.hexarch = new RequestLedger());
  }

  get method(): string {
    return this.request.method;
  }

  get url(): string {
    return this.request.originalUrl;
  }

  /** `req.ip`; when `trust proxy` is off that is the socket's peer address, read directly to skip proxy parsing. */
  get clientAddress(): string | undefined {
    const req = this.request;
    return appSetting(req, "trust proxy") === false ? req.socket.remoteAddress : req.ip;
  }

  get peerAddress(): string | undefined {
    return this.request.socket.remoteAddress;
  }

  /**
   * Always false: route scopes compare in lower case. The app's `case sensitive routing` setting reaches only the
   * app's own router; a `Router()` made with defaults matches without case, and the middleware cannot see which
   * router will serve a request. Folding can only widen a rule, never let a spelling past it.
   */
  get caseSensitive(): boolean {
    return false;
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
