// A Koa context seen through the core's structural HttpRequestView.
import type { Context } from "koa";
import type { HttpRequestView } from "../core/index.js";

/** Reads method, URL, headers, `ctx.ip` (so `app.proxy` decides about X-Forwarded-For) and the body a body parser left. */
export class KoaRequestView implements HttpRequestView {
  readonly #ctx: Context;

  constructor(ctx: Context) {
    this.#ctx = ctx;
  }

  get method(): string {
    return this.#ctx.method;
  }

  get url(): string {
    return this.#ctx.originalUrl;
  }

  get clientAddress(): string | undefined {
    return this.#ctx.ip === "" ? undefined : this.#ctx.ip;
  }

  header(name: string): string | undefined {
    const value = this.#ctx.headers[name];
    return Array.isArray(value) ? value.join(", ") : value;
  }

  body(): unknown {
    return (this.#ctx.request as { body?: unknown }).body;
  }
}
