// A Koa context seen through the core's structural HttpRequestView.
import type { Context } from "koa";
import { nodeRequestHeader } from "../core/node-header.js";
import type { HttpRequestView } from "../core/index.js";

/**
 * Reads method, URL, headers, the client address as `ctx.ip` gives it (so `app.proxy` decides about X-Forwarded-For;
 * with `proxy` off that is the socket address, read directly) and the body a body parser left.
 */
export class KoaRequestView implements HttpRequestView {
  readonly #ctx: Context;

  constructor(ctx: Context) {
    this.#ctx = ctx;
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

  header(name: string): string | undefined {
    return nodeRequestHeader(this.#ctx.req, name);
  }

  body(): unknown {
    return (this.#ctx.request as { body?: unknown }).body;
  }
}
