// Delivers events to the `notify:` targets: a bounded queue, signed POSTs, retries with backoff, drops counted.
import { SILENT_LOGGER, configWarning, type Logger } from "../errors/warnings.js";
import type { Notifier } from "./notifier.js";
import { signatureHeader, SIGNATURE_HEADER } from "./signature.js";
import { isSlackWebhook, slackMessage } from "./slack.js";

/** One target, as the policy file's `notify:` names it. */
export interface NotifyTarget {
  readonly webhook: string;
  /** Signs this target's requests instead of the notifier's secret. */
  readonly secret?: string | undefined;
}

/** How a notifier delivers. Every setting has a default. */
export interface NotifierOptions {
  /** Signs every request (`Hexarch-Signature`) unless the target names its own. Default: `HEXARCH_SECRET` of `env`. */
  readonly secret?: string | undefined;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly logger?: Logger;
  /** Most deliveries waiting; past it, new events are dropped (counted). Default: 1000. */
  readonly maxQueue?: number;
  /** Tries per delivery, the first included. Default: 4. */
  readonly attempts?: number;
  /** Wait before the first retry, doubled for each next one, in milliseconds. Default: 500. */
  readonly backoffMs?: number;
  /** Longest wait for one POST, in milliseconds. Default: 5000. */
  readonly timeoutMs?: number;
  /** Called with the number of deliveries dropped (queue full, or every try failed): for `/metrics`. */
  readonly onDrop?: (count: number, cause: "queue-full" | "undelivered") => void;
  /** The fetch to POST with. Default: the global fetch. */
  readonly fetch?: typeof fetch;
  /** Clock in epoch milliseconds, for the signature's time. Default: `Date.now`. */
  readonly clock?: () => number;
}

interface Delivery {
  readonly url: string;
  readonly secret: string | undefined;
  readonly body: string;
  attempt: number;
}

/** Deliveries in flight at once. */
const CONCURRENCY = 4;
/** Longest wait in close() for the queue to empty. */
const CLOSE_WAIT_MS = 3000;

/**
 * A notifier for `targets`. `send` queues one delivery per target and returns at once; deliveries run in the
 * background (at most 4 at a time), each tried up to `attempts` times with doubling backoff. A full queue or a
 * delivery that never succeeded is dropped, logged and counted (`onDrop`). No target: a notifier that does nothing.
 * @example const notifier = createNotifier([{ webhook: "http://127.0.0.1:9000/hexarch" }], { logger }); notifier.send({ type: "approval.requested" });
 */
export function createNotifier(targets: readonly NotifyTarget[], options: NotifierOptions = {}): Notifier {
  const logger = options.logger ?? SILENT_LOGGER;
  const secret = options.secret ?? options.env?.["HEXARCH_SECRET"] ?? undefined;
  const maxQueue = options.maxQueue ?? 1000;
  const attempts = Math.max(options.attempts ?? 4, 1);
  const backoffMs = options.backoffMs ?? 500;
  const timeoutMs = options.timeoutMs ?? 5000;
  const post = options.fetch ?? fetch;
  const clock = options.clock ?? Date.now;
  if (targets.some((target) => (target.secret ?? secret) === undefined && !isSlackWebhook(target.webhook)))
    configWarning(logger, "HEXARCH_NOTIFY_UNSIGNED", "notify: targets get unsigned requests: set HEXARCH_SECRET or a target's secret:");

  const queue: Delivery[] = [];
  /** Retries waiting for their backoff. */
  const waiting = new Map<ReturnType<typeof setTimeout>, Delivery>();
  let running = 0;
  let closed = false;
  let idle: (() => void) | undefined;

  const drop = (count: number, cause: "queue-full" | "undelivered", url: string): void => {
    logger.warn({ url: redactedUrl(url), count, cause }, "hexarch: notification dropped");
    options.onDrop?.(count, cause);
  };

  const settleIdle = (): void => {
    if (running === 0 && queue.length === 0 && waiting.size === 0) idle?.();
  };

  const deliver = async (delivery: Delivery): Promise<void> => {
    delivery.attempt += 1;
    const headers: Record<string, string> = { "Content-Type": "application/json", "User-Agent": "hexarch-guardrails" };
    const { secret: key } = delivery;
    if (key !== undefined) headers[SIGNATURE_HEADER] = signatureHeader(key, delivery.body, Math.floor(clock() / 1000));
    let ok = false;
    try {
      const response = await post(delivery.url, { method: "POST", headers, body: delivery.body, signal: AbortSignal.timeout(timeoutMs) });
      ok = response.ok;
      await response.body?.cancel().catch(() => undefined);
    } catch {
      ok = false;
    }
    if (ok) return;
    if (delivery.attempt >= attempts || closed) {
      drop(1, "undelivered", delivery.url);
      return;
    }
    const timer = setTimeout(
      () => {
        waiting.delete(timer);
        queue.unshift(delivery);
        pump();
      },
      backoffMs * 2 ** (delivery.attempt - 1),
    );
    timer.unref?.();
    waiting.set(timer, delivery);
  };

  const pump = (): void => {
    while (running < CONCURRENCY && queue.length > 0) {
      const delivery = queue.shift() as Delivery;
      running += 1;
      void deliver(delivery).finally(() => {
        running -= 1;
        pump();
        settleIdle();
      });
    }
  };

  return {
    send(event) {
      if (closed || targets.length === 0) return;
      let json: string;
      try {
        json = JSON.stringify(event);
      } catch (error) {
        logger.warn({ err: error, type: event.type }, "hexarch: notification not sent: the event is not JSON");
        return;
      }
      for (const target of targets) {
        if (queue.length >= maxQueue) {
          drop(1, "queue-full", target.webhook);
          continue;
        }
        const body = isSlackWebhook(target.webhook) ? JSON.stringify(slackMessage(event)) : json;
        queue.push({ url: target.webhook, secret: target.secret ?? secret, body, attempt: 0 });
      }
      pump();
    },
    async close() {
      // Retries waiting for their backoff go now, once; then at most CLOSE_WAIT_MS for what is in flight.
      for (const [timer, delivery] of waiting) {
        clearTimeout(timer);
        queue.push(delivery);
      }
      waiting.clear();
      const drained = new Promise<void>((resolve) => {
        idle = resolve;
      });
      settleIdle();
      pump();
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_WAIT_MS).unref?.());
      await Promise.race([drained, timeout]);
      closed = true;
      if (queue.length > 0) drop(queue.splice(0).length, "undelivered", targets[0]?.webhook ?? "");
    },
  };
}

/** A URL without its path and query, which for Slack hold the webhook's secret. */
function redactedUrl(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "<invalid url>";
  }
}
