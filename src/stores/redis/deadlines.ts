// One shared timer that makes every pending store call give up at its deadline, instead of a timer per call.

/** A call still waiting for its answer; `settled` flips once it resolved, failed or ran out of time. */
interface PendingCall {
  readonly deadline: number;
  /** Fails the call; `overdueMs` is how long after its deadline this process got round to judging it. */
  readonly expire: (overdueMs: number) => void;
  settled: boolean;
}

/**
 * Bounds promises by a fixed time budget. Every call gets the same budget, so deadlines arrive in the order
 * calls started: a FIFO queue is a deadline queue, and one timer armed for the oldest pending call suffices.
 */
export class Deadlines {
  readonly #budgetMs: number;
  readonly #queue: PendingCall[] = [];
  #head = 0;
  #timer: NodeJS.Timeout | NodeJS.Immediate | undefined;

  constructor(budgetMs: number) {
    this.#budgetMs = budgetMs;
  }

  /**
   * Settles like `work`, or rejects with `timeoutError(overdueMs)` once the budget is spent; `overdueMs` says how
   * late the event loop let the deadline be judged (about 0 normally; large after a blocked loop). `onLate`
   * receives the value of work that finished after its caller was already told it failed.
   */
  within<T>(work: Promise<T>, timeoutError: (overdueMs: number) => Error, onLate?: (value: T) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const call: PendingCall = {
        deadline: performance.now() + this.#budgetMs,
        expire: (overdueMs) => reject(timeoutError(overdueMs)),
        settled: false,
      };
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
    clearTimeout(this.#timer as NodeJS.Timeout);
    clearImmediate(this.#timer as NodeJS.Immediate);
    this.#timer = undefined;
    this.#queue.length = 0;
    this.#head = 0;
  }

  /**
   * The timer only wakes the judge: calls are judged on setImmediate, after the loop's poll phase has read the
   * answers already waiting in the socket, so a turn of the event loop that ran past a deadline does not fail a
   * call whose answer had arrived. No call waits longer than its deadline plus that one turn.
   */
  #arm(delayMs: number): void {
    this.#timer = setTimeout(
      () => {
        // Not unref'd: an unref'd immediate lets the poll phase sleep until some other event wakes the loop.
        this.#timer = setImmediate(() => this.#expire());
      },
      Math.max(delayMs, 0),
    ).unref();
  }

  #expire(): void {
    const now = performance.now();
    const queue = this.#queue;
    while (this.#head < queue.length) {
      const call = queue[this.#head] as PendingCall;
      if (!call.settled && call.deadline > now) break;
      if (!call.settled) {
        call.settled = true;
        call.expire(now - call.deadline);
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
