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
 * Method, URL, the client address as `ctx.ip` gives it (so `app.proxy` decides about X-Forwarded-For; with `proxy`
 * off that is the socket address, read directly), the socket address and case-insensitive routing (as @koa/router),
 * read once as the view is made; headers and the body a body parser left when the core asks. Carries `next` and the
 * request's ledger (`ctx.state.hexarch`).
 */
export class KoaRequestView implements AdapterView<Context> {
  // Declared, not initialized: the constructor sets each field once, with no field initializer to run per request.
  declare readonly request: Context;
  declare readonly next: Next;
  declare readonly ledger: RequestLedger;
  declare readonly method: string;
  declare readonly url: string;
  declare readonly clientAddress: string | undefined;
  declare readonly peerAddress: string | undefined;
  /** @koa/router's default; a router made with `sensitive: true` is out of reach of app-level middleware. */
  declare readonly caseSensitive: boolean;

  constructor(ctx: Context, next: Next) {
    const req = ctx.req;
    const peer = req.socket.remoteAddress;
    this.request = ctx;
    this.next = next;
    this.ledger = (ctx.state.hexarch as RequestLedger | undefined) ?? (ctx.state.hexarch = new RequestLedger());
    this.method = req.method ?? "GET";
    this.url = ctx.originalUrl;
    this.clientAddress = !ctx.app.proxy ? peer : ctx.ip === "" ? undefined : ctx.ip;
    this.peerAddress = peer;
    this.caseSensitive = false;
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
