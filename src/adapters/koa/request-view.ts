// A Koa context as the core reads it.
import type { Context, Next } from "koa";
import { RequestLedger } from "../core/index.js";
import { nodeRequestHeader } from "../core/node-header.js";
import { NodeRequestView } from "../core/node-request-view.js";
import type { ProxySight, ProxyTrust } from "../core/request-warnings.js";

function koaProxyTrust(ctx: Context): ProxyTrust {
  if (!ctx.app.proxy) return "none";
  return ctx.app.maxIpsCount > 0 ? "some" : "all";
}

/**
 * A Koa context: the client is `ctx.ip` (so `app.proxy` decides about X-Forwarded-For; with `proxy` off, the
 * socket's address, read directly); the body is the one a body parser left. Carries `next`; the ledger is
 * `ctx.state.hexarch`.
 */
export class KoaRequestView extends NodeRequestView<Context> {
  declare readonly next: Next;

  constructor(ctx: Context, next: Next) {
    const ledger = (ctx.state.hexarch as RequestLedger | undefined) ?? (ctx.state.hexarch = new RequestLedger());
    super(ctx, ctx.req, ledger, ctx.originalUrl, !ctx.app.proxy || ctx.ip === "" ? undefined : ctx.ip);
    this.next = next;
  }

  body(): unknown {
    return (this.request.request as { body?: unknown }).body;
  }

  proxySight(): ProxySight {
    const ctx = this.request;
    return {
      trust: koaProxyTrust(ctx),
      forwardedFor: nodeRequestHeader(ctx.req, ctx.app.proxyIpHeader.toLowerCase()),
      peer: this.peerAddress,
    };
  }
}
