// A Koa context as the core reads it.
import type { Context, Next } from "koa";
import { RequestLedger, type AdapterView } from "../core/index.js";
import { nodeRequestHeader } from "../core/node-header.js";
import { announcesBody, type ProxySight, type ProxyTrust } from "../core/request-warnings.js";

function koaProxyTrust(ctx: Context): ProxyTrust {
  if (!ctx.app.proxy) return "none";
  return ctx.app.maxIpsCount > 0 ? "some" : "all";
}

/**
 * Method, URL, headers, the client address as `ctx.ip` gives it (so `app.proxy` decides about X-Forwarded-For;
 * with `proxy` off that is the socket address, read directly), the socket address, case-insensitive routing (as
 * @koa/router) and the body a body parser left; each read when the core asks. Carries `next` and the request's
 * ledger (`ctx.state.hexarch`).
 */
export class KoaRequestView implements AdapterView<Context> {
  readonly request: Context;
  readonly next: Next;
  readonly ledger: RequestLedger;

  constructor(ctx: Context, next: Next) {
    this.request = ctx;
    this.next = next;
    this.ledger = (ctx.state.hexarch as RequestLedger | undefined) ?? (ctx.state.hexarch = new RequestLedger());
  }

  /** @koa/router's default; a router made with `sensitive: true` is out of reach of app-level middleware. */
  get caseSensitive(): boolean {
    return false;
  }

  get method(): string {
    return this.request.req.method ?? "GET";
  }

  get url(): string {
    return this.request.originalUrl;
  }

  get clientAddress(): string | undefined {
    const ctx = this.request;
    if (!ctx.app.proxy) return ctx.req.socket.remoteAddress;
    return ctx.ip === "" ? undefined : ctx.ip;
  }

  get peerAddress(): string | undefined {
    return this.request.req.socket.remoteAddress;
  }

  header(name: string): string | undefined {
    return nodeRequestHeader(this.request.req, name);
  }

  body(): unknown {
    return (this.request.request as { body?: unknown }).body;
  }

  proxySight(): ProxySight {
    const ctx = this.request;
    return {
      trust: koaProxyTrust(ctx),
      forwardedFor: nodeRequestHeader(ctx.req, ctx.app.proxyIpHeader.toLowerCase()),
      peer: ctx.req.socket.remoteAddress,
    };
  }

  bodyUnseen(): boolean {
    return this.body() === undefined && announcesBody(this.request.req.headers);
  }
}
