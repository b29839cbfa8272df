// An Express request seen through the core's structural HttpRequestView.
import type { Request } from "express";
import { nodeRequestHeader } from "../core/node-header.js";
import type { HttpRequestView } from "../core/index.js";

/** Reads method, URL, headers, `req.ip` (so `trust proxy` decides about X-Forwarded-For) and the parsed body. */
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
    return req.app?.settings?.["trust proxy"] === false ? req.socket.remoteAddress : req.ip;
  }

  header(name: string): string | undefined {
    return nodeRequestHeader(this.#req, name);
  }

  body(): unknown {
    return this.#req.body;
  }
}
