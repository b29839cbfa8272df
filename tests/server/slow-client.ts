// A raw TCP client that sends a request slowly (or stops), for the decision server's time limits.
import { connect } from "node:net";

/** What a slow client saw. */
export interface SlowOutcome {
  /** The first line of the first answer (`HTTP/1.1 408 Request Timeout`), or "" when none came. */
  readonly statusLine: string;
  /** Everything the server sent. */
  readonly text: string;
  /** Milliseconds from the first byte sent until the server closed the connection; undefined when it was still open at `giveUpMs`. */
  readonly closedAfterMs: number | undefined;
}

/** How a slow client sends. */
export interface SlowPlan {
  /** Sent at once. */
  readonly first: string;
  /** Sent again every `everyMs` while the connection is open; none: the client stops after `first`. */
  readonly trickle?: string;
  readonly everyMs?: number;
  /** Half-close (FIN) after `first`, as a client that gave up half way would. */
  readonly endAfterFirst?: boolean;
  /** The client gives up and destroys the connection after this long. Default: 5000. */
  readonly giveUpMs?: number;
}

/**
 * Opens a connection to the server at `url`, sends `plan.first`, then trickles, and reports what came back and when the
 * server closed the connection.
 * @example const seen = await slowClient(url, { first: "POST / HTTP/1.1\r\nhost: x\r\n", trickle: "x-a: b\r\n", everyMs: 100 });
 */
export function slowClient(url: string, plan: SlowPlan): Promise<SlowOutcome> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname.replace(/^\[|\]$/g, ""));
  const started = Date.now();
  let text = "";
  socket.setEncoding("utf8").on("data", (chunk: string) => void (text += chunk));
  socket.on("error", () => undefined);
  socket.write(plan.first);
  if (plan.endAfterFirst === true) socket.end();
  const trickle =
    plan.trickle === undefined ? undefined : setInterval(() => socket.writable && socket.write(plan.trickle ?? ""), plan.everyMs ?? 100);
  return new Promise((resolve) => {
    const finish = (closedAfterMs: number | undefined): void => {
      clearInterval(trickle);
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ statusLine: text.split("\r\n")[0] ?? "", text, closedAfterMs });
    };
    const giveUp = setTimeout(() => finish(undefined), plan.giveUpMs ?? 5000);
    socket.once("close", () => finish(Date.now() - started));
  });
}

/** Request line and headers of a JSON POST announcing `length` body bytes, with an optional bearer key. */
export function postHead(path: string, length: number, key?: string): string {
  const auth = key === undefined ? "" : `authorization: Bearer ${key}\r\n`;
  return `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n${auth}\r\n`;
}
