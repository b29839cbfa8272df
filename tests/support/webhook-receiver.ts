// A notify: target for tests: keeps every POST it gets (headers and body) and lets a test wait for the next ones.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** One delivery as received. */
export interface Delivery {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A running receiver: its URL, what it got, and a wait for a delivery matching a test. */
export interface WebhookReceiver {
  readonly url: string;
  readonly got: readonly Delivery[];
  /** The first delivery (already received or still to come) whose body satisfies `matches`. */
  next(matches?: (body: string) => boolean): Promise<Delivery>;
  close(): Promise<void>;
}

/**
 * Starts a receiver on a free loopback port; it answers each request with the next of `statuses`, then 204.
 * @example const hook = await startWebhookReceiver(); const { body } = await hook.next((b) => b.includes("approval.requested"));
 */
export async function startWebhookReceiver(statuses: number[] = []): Promise<WebhookReceiver> {
  const got: Delivery[] = [];
  const waiting: { matches: (body: string) => boolean; resolve: (delivery: Delivery) => void }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const delivery = { headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      got.push(delivery);
      for (const waiter of waiting.filter((w) => w.matches(delivery.body))) {
        waiting.splice(waiting.indexOf(waiter), 1);
        waiter.resolve(delivery);
      }
      res.writeHead(statuses.shift() ?? 204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hexarch`,
    got,
    next: (matches = () => true) => {
      const found = got.find((delivery) => matches(delivery.body));
      return found !== undefined ? Promise.resolve(found) : new Promise((resolve) => waiting.push({ matches, resolve }));
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
