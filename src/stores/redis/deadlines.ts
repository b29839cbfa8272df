// One shared timer that makes every pending store call give up at its deadline, instead of a timer per call.

/** A call still waiting for its answer; `settled` flips once it resolved, failed or ran out of time. */
interface PendingCall {
  deadline: number;
  readonly expire: () => void;
  settled: boolean;
  /** Its deadline passed while the event loop was blocked, and it was given a fresh budget once. */
  extended: boolean;
}

/**
 * Bounds promises by a fixed time budget. Every call gets the same budget, so deadlines arrive in the order
 * calls started: a FIFO queue is a deadline queue, and one timer armed for the oldest pending call suffices.
 * A call given a fresh budget goes to the back of the queue, where the order still holds.
 */
export class Deadlines {
  readonly #budgetMs: number;
  readonly #queue: PendingCall[] = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;
  /** When the armed timer is due (performance.now()). */
  #dueAt = 0;

  constructor(budgetMs: number) {
    this.#budgetMs = budgetMs;
  }

  /**
   * Settles like `work`, or rejects with `timeoutError()` once the budget is spent. `onLate` receives the
   * value of work that finished after its caller was already told it failed.
   */
  within<T>(work: Promise<T>, timeoutError: () => Error, onLate?: (value: T) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const call: PendingCall = { deadline: performance.now() + this.#budgetMs, expire: () => reject(timeoutError()), settled: false, extended: false };
      work.then(
        (value) => {
          if (call.settled) onLate?.(value);
          else {
            call.settled = true;
            resolve(value);
          }
        },
        (error: unknown) => {
          if (call.settled) return;
          call.settled = true;
          reject(error);
        },
      );
      this.#queue.push(call);
      if (this.#timer === undefined) this.#arm(this.#budgetMs);
    });
  }

  /** Stops the timer; calls still pending keep waiting on their own promise. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queue.length = 0;
    this.#head = 0;
  }

  #arm(delayMs: number): void {
    const delay = Math.max(delayMs, 0);
    this.#dueAt = performance.now() + delay;
    this.#timer = setTimeout(() => this.#onTimer(), delay);
    this.#timer.unref();
  }

  /**
   * A timeout must be evidence about the server, not about this process's event loop. So the calls are judged on
   * setImmediate, after the loop's poll phase has read whatever answers already sit in the socket; and when the
   * timer fired more than a quarter of the budget late, the loop was blocked (requests may not even have been
   * sent), so each overdue call gets one fresh budget instead of failing. Only an answer still missing then fails.
   */
  #onTimer(): void {
    const blocked = performance.now() - this.#dueAt > this.#budgetMs / 4;
    setImmediate(() => this.#expire(blocked)).unref();
  }

  #expire(blocked: boolean): void {
    const now = performance.now();
    const queue = this.#queue;
    while (this.#head < queue.length) {
      const call = queue[this.#head] as PendingCall;
      if (!call.settled && call.deadline > now) break;
      if (!call.settled && blocked && !call.extended) {
        call.extended = true;
        call.deadline = now + this.#budgetMs;
        queue.push(call);
      } else if (!call.settled) {
        call.settled = true;
        call.expire();
      }
      this.#head += 1;
    }
    if (this.#head === queue.length) {
      queue.length = 0;
      this.#head = 0;
      this.#timer = undefined;
      return;
    }
    if (this.#head > 1024 && this.#head * 2 > queue.length) {
      queue.splice(0, this.#head);
      this.#head = 0;
    }
    this.#arm((queue[this.#head] as PendingCall).deadline - now);
  }
}
