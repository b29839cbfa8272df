// An Express request as the core reads it.
import type { Request } from "express";
import type { HttpRequestView } from "../core/index.js";
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
 * parsed body, each read when the core asks; paths compare without case (see `caseSensitive`).
 */
export class ExpressRequestView implements HttpRequestView {
  readonly #req: Request;

  constructor(req: Request) {
    this.#req = req;
  }

  get method(): string {
    return this.#req.method;
  }

  get url(): string {
    return this.#req.originalUrl;
  }

  /** `req.ip`; when `trust proxy` is off that is the socket's peer address, read directly to skip proxy parsing. */
  get clientAddress(): string | undefined {
    const req = this.#req;
    return appSetting(req, "trust proxy") === false ? req.socket.remoteAddress : req.ip;
  }

  get peerAddress(): string | undefined {
    return this.#req.socket.remoteAddress;
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
    return nodeRequestHeader(this.#req, name);
  }

  body(): unknown {
    return this.#req.body as unknown;
  }

  proxySight(): ProxySight {
    const req = this.#req;
    return {
      trust: proxyTrust(appSetting(req, "trust proxy")),
      forwardedFor: nodeRequestHeader(req, "x-forwarded-for"),
      peer: req.socket.remoteAddress,
    };
  }

  bodyUnseen(): boolean {
    return this.#req.body === undefined && announcesBody(this.#req.headers);
  }
}
