// Reads an Express request for the core, with no object made per request.
import type { Request } from "express";
import { nodeRequestHeader } from "../core/node-header.js";
import type { RequestReader } from "../core/index.js";
import { announcesBody, type ProxyTrust } from "../core/request-warnings.js";

/** One of the app's settings (`app.set(name, value)`), which Express types as `any`. */
function appSetting(req: Request, name: string): unknown {
  return (req.app?.settings as Record<string, unknown> | undefined)?.[name];
}

/**
 * Method, URL, headers, `req.ip` (so `trust proxy` decides about X-Forwarded-For), the socket's address, whether
 * the app routes case-sensitively, and the parsed body.
 */
export const EXPRESS_READER: RequestReader<Request> = Object.freeze({
  method: (req: Request) => req.method,
  url: (req: Request) => req.originalUrl,
  /** `req.ip`; when `trust proxy` is off that is the socket's peer address, read directly to skip proxy parsing. */
  clientAddress: (req: Request) => (appSetting(req, "trust proxy") === false ? req.socket.remoteAddress : req.ip),
  peerAddress: (req: Request) => req.socket.remoteAddress,
  /** The app's `case sensitive routing` setting, which its router follows (off unless set). */
  caseSensitive: (req: Request) => appSetting(req, "case sensitive routing") === true,
  header: (req: Request, name: string) => nodeRequestHeader(req, name),
  body: (req: Request) => req.body as unknown,
  proxySight: (req: Request) => ({
    trust: proxyTrust(appSetting(req, "trust proxy")),
    forwardedFor: nodeRequestHeader(req, "x-forwarded-for"),
    peer: req.socket.remoteAddress,
  }),
  bodyUnseen: (req: Request) => req.body === undefined && announcesBody(req.headers),
});

/** Express's `trust proxy` setting as it was given: `true` trusts every hop; `false` or unset none. */
function proxyTrust(setting: unknown): ProxyTrust {
  return setting === true ? "all" : setting === false || setting === undefined ? "none" : "some";
}
