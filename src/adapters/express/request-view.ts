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
 * Method, URL, headers, `req.ip` (so `trust proxy` decides about X-Forwarded-For), the socket's address, whether
 * the app routes case-sensitively, and the parsed body; each read when the core asks.
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

  /** The app's `case sensitive routing` setting, which its router follows (off unless set). */
  get caseSensitive(): boolean {
    return appSetting(this.#req, "case sensitive routing") === true;
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
