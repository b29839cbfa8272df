// Reads a Koa context for the core, with no object made per request.
import type { Context } from "koa";
import { nodeRequestHeader } from "../core/node-header.js";
import type { RequestReader } from "../core/index.js";
import { announcesBody, type ProxyTrust } from "../core/request-warnings.js";

function koaProxyTrust(ctx: Context): ProxyTrust {
  if (!ctx.app.proxy) return "none";
  return ctx.app.maxIpsCount > 0 ? "some" : "all";
}

/**
 * Method, URL, headers, the client address as `ctx.ip` gives it (so `app.proxy` decides about X-Forwarded-For;
 * with `proxy` off that is the socket address, read directly), the socket address, case-insensitive routing (as
 * @koa/router) and the body a body parser left.
 */
export const KOA_READER: RequestReader<Context> = Object.freeze({
  method: (ctx: Context) => ctx.req.method ?? "GET",
  url: (ctx: Context) => ctx.originalUrl,
  clientAddress(ctx: Context): string | undefined {
    if (!ctx.app.proxy) return ctx.req.socket.remoteAddress;
    return ctx.ip === "" ? undefined : ctx.ip;
  },
  peerAddress: (ctx: Context) => ctx.req.socket.remoteAddress,
  /** @koa/router's default; a router made with `sensitive: true` is out of reach of app-level middleware. */
  caseSensitive: () => false,
  header: (ctx: Context, name: string) => nodeRequestHeader(ctx.req, name),
  body: (ctx: Context) => (ctx.request as { body?: unknown }).body,
  proxySight: (ctx: Context) => ({
    trust: koaProxyTrust(ctx),
    forwardedFor: nodeRequestHeader(ctx.req, ctx.app.proxyIpHeader.toLowerCase()),
    peer: ctx.req.socket.remoteAddress,
  }),
  bodyUnseen: (ctx: Context) => (ctx.request as { body?: unknown }).body === undefined && announcesBody(ctx.req.headers),
});
