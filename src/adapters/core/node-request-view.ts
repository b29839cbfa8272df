// What every view of a Node IncomingMessage (Express, Koa) holds: read once as the view is made, headers on demand.
import type { IncomingMessage } from "node:http";
import type { AdapterView } from "./define-adapter.js";
import { nodeRequestHeader } from "./node-header.js";
import { announcesBody } from "./request-warnings.js";
import type { RequestLedger } from "./request-ledger.js";

/**
 * The fields a Node-based adapter's view sets once per request. Declared, not initialized: the constructor sets
 * each once, with no field initializer to run per request. Route scopes compare without case: an app-level
 * middleware cannot see whether the router that will serve the request (Express `Router()`, @koa/router) matches
 * with case, and folding can only widen a rule. A subclass adds the body and the proxy sight.
 */
export abstract class NodeRequestView<Req> implements AdapterView<Req> {
  declare readonly request: Req;
  declare readonly ledger: RequestLedger;
  declare readonly method: string;
  declare readonly url: string;
  declare readonly clientAddress: string | undefined;
  declare readonly peerAddress: string | undefined;
  declare readonly caseSensitive: boolean;
  declare readonly node: IncomingMessage;

  /** `clientAddress`: the framework's client address, undefined for the socket's peer address. */
  constructor(request: Req, node: IncomingMessage, ledger: RequestLedger, url: string, clientAddress: string | undefined) {
    const peer = node.socket.remoteAddress;
    this.request = request;
    this.node = node;
    this.ledger = ledger;
    this.method = node.method ?? "GET";
    this.url = url;
    this.clientAddress = clientAddress ?? peer;
    this.peerAddress = peer;
    this.caseSensitive = false;
  }

  header(name: string): string | undefined {
    return nodeRequestHeader(this.node, name);
  }

  abstract body(): unknown;

  bodyUnseen(): boolean {
    return this.body() === undefined && announcesBody(this.node.headers);
  }
}
