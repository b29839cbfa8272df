// A Koa context as the core reads it.
import type { Context } from "koa";
import type { HttpRequestView } from "../core/index.js";
import { nodeRequestHeader } from "../core/node-header.js";
import { announcesBody, type ProxySight, type ProxyTrust } from "../core/request-warnings.js";

function koaProxyTrust(ctx: Context): ProxyTrust {
  if (!ctx.app.proxy) return "none";
  return ctx.app.maxIpsCount > 0 ? "some" : "all";
}

/**
 * Method, URL, headers, the client address as `ctx.ip` gives it (so `app.proxy` decides about X-Forwarded-For;
 * with `proxy` off that is the socket address, read directly), the socket address, case-insensitive routing (as
 * @koa/router) and the body a body parser left; each read when the core asks.
 */
export class KoaRequestView implements HttpRequestView {
  readonly #ctx: Context;

  constructor(ctx: Context) {
    this.#ctx = ctx;
  }

  /** @koa/router's default; a router made with `sensitive: true` is out of reach of app-level middleware. */
  get caseSensitive(): boolean {
    return false;
  }

  get method(): string {
    return this.#ctx.req.method ?? "GET";
  }

  get url(): string {
    return this.#ctx.originalUrl;
  }

  get clientAddress(): string | undefined {
    const ctx = this.#ctx;
    if (!ctx.app.proxy) return ctx.req.socket.remoteAddress;
    return ctx.ip === "" ? undefined : ctx.ip;
  }

  get peerAddress(): string | undefined {
    return this.#ctx.req.socket.remoteAddress;
  }

  header(name: string): string | undefined {
    return nodeRequestHeader(this.#ctx.req, name);
  }

  body(): unknown {
    return (this.#ctx.request as { body?: unknown }).body;
  }

  proxySight(): ProxySight {
    const ctx = this.#ctx;
    return {
      trust: koaProxyTrust(ctx),
      forwardedFor: nodeRequestHeader(ctx.req, ctx.app.proxyIpHeader.toLowerCase()),
      peer: ctx.req.socket.remoteAddress,
    };
  }

  bodyUnseen(): boolean {
    return this.body() === undefined && announcesBody(this.#ctx.req.headers);
  }
}
