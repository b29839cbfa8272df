// One shared timer that makes every pending store call give up at its deadline, instead of a timer per call.

/** A call still waiting for its answer; `settled` flips once it resolved, failed or ran out of time. */
interface PendingCall {
  /** When its budget runs out (performance.now()); Infinity until the budget starts (see Deadlines#start). */
  deadline: number;
  /** Fails the call; `overdueMs` is how long after its deadline this process got round to judging it. */
  readonly expire: (overdueMs: number) => void;
  settled: boolean;
}

/**
 * Bounds promises by a fixed time budget, counted from when a call's command has left and judged only on what the
 * socket has been read for: an event loop blocked by the app is no evidence about Redis. Every call gets the same
 * budget and budgets start in call order, so a FIFO queue is a deadline queue, and one timer armed for the oldest
 * pending call suffices.
 */
export class Deadlines {
  readonly #budgetMs: number;
  readonly #queue: PendingCall[] = [];
  #head = 0;
  /** Index in the queue of the first call whose budget has not started. */
  #unstarted = 0;
  #starter: NodeJS.Immediate | undefined;
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
        deadline: Number.POSITIVE_INFINITY,
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
      // Not unref'd, like the judge's immediate: it runs in this turn's check phase and keeps nothing alive after it.
      this.#starter ??= setImmediate(() => this.#start());
    });
  }

  /** Stops the timer; calls still pending keep waiting on their own promise. */
  stop(): void {
    clearTimeout(this.#timer as NodeJS.Timeout);
    clearImmediate(this.#timer as NodeJS.Immediate);
    clearImmediate(this.#starter);
    this.#timer = undefined;
    this.#starter = undefined;
    this.#queue.length = 0;
    this.#head = 0;
    this.#unstarted = 0;
  }

  /**
   * Starts the budget of every call made since the last start. ioredis' auto-pipeline writes a turn's commands on
   * setImmediate, queued before this one (the command is made before `within` is called), and a client without it
   * writes at once: so the budget counts from when the command left, even when the loop was blocked in between.
   */
  #start(): void {
    this.#starter = undefined;
    const deadline = performance.now() + this.#budgetMs;
    const queue = this.#queue;
    for (let i = this.#unstarted; i < queue.length; i++) (queue[i] as PendingCall).deadline = deadline;
    this.#unstarted = queue.length;
    if (this.#timer === undefined) this.#arm(this.#budgetMs);
  }

  /**
   * The timer only wakes the judge: calls are judged on setImmediate, after the poll phase that follows the timer
   * has read every answer already in the socket, and only calls whose deadline had passed when the timer fired
   * fail, since only their answers had their chance in that poll phase. A deadline that passed while this turn ran
   * long (a handler blocking the loop) waits for the next turn's poll. No call waits longer than its deadline plus
   * what the loop itself was blocked, plus a turn.
   */
  #arm(delayMs: number): void {
    this.#timer = setTimeout(
      () => {
        const firedAt = performance.now();
        // Not unref'd: an unref'd immediate lets the poll phase sleep until some other event wakes the loop.
        this.#timer = setImmediate(() => this.#expire(firedAt));
      },
      Math.max(delayMs, 0),
    ).unref();
  }

  #expire(firedAt: number): void {
    const now = performance.now();
    const queue = this.#queue;
    while (this.#head < queue.length) {
      const call = queue[this.#head] as PendingCall;
      if (!call.settled && call.deadline > firedAt) break;
      if (!call.settled) {
        call.settled = true;
        call.expire(now - call.deadline);
      }
      this.#head += 1;
    }
    if (this.#head > 1024 && this.#head * 2 > queue.length) {
      queue.splice(0, this.#head);
      this.#unstarted = Math.max(this.#unstarted - this.#head, 0);
      this.#head = 0;
    }
    const next = queue[this.#head]?.deadline ?? Number.POSITIVE_INFINITY;
    if (next === Number.POSITIVE_INFINITY) {
      // Nothing pending with a started budget: #start arms the timer again for the next call.
      if (this.#head === queue.length) {
        queue.length = 0;
        this.#head = 0;
        this.#unstarted = 0;
      }
      this.#timer = undefined;
      return;
    }
    this.#arm(next - now);
  }
}
