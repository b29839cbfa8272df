// One shared timer that makes every pending store call give up at its deadline, instead of a timer per call.

/** A call still waiting for its answer; `settled` flips once it resolved, failed or ran out of time. */
interface PendingCall {
  /** When its budget runs out, in loop time (see Deadlines); Infinity until the budget starts (see Deadlines#start). */
  deadline: number;
  /** Fails the call; `overdueMs` is how long after its deadline (in loop time) this process got round to judging it. */
  readonly expire: (overdueMs: number) => void;
  settled: boolean;
}

/**
 * Bounds promises by a fixed time budget, counted in loop time: wall time minus the time this process's event loop
 * was seen blocked, since a loop that cannot run can neither send a command nor read its answer, which is no
 * evidence about Redis. The shared timer wakes at least every quarter budget while calls wait, and how late it
 * fires is the blocked time. A budget starts when the call's command has left, and a call is judged only after the
 * socket has been read. Every call gets the same budget and budgets start in call order, so a FIFO queue is a
 * deadline queue, and one timer for the oldest pending call suffices.
 */
export class Deadlines {
  readonly #budgetMs: number;
  readonly #tickMs: number;
  readonly #queue: PendingCall[] = [];
  #head = 0;
  /** Index in the queue of the first call whose budget has not started. */
  #unstarted = 0;
  #starter: NodeJS.Immediate | undefined;
  #timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  /** When the armed timer is due (performance.now()): how late it fires is time the loop was blocked. */
  #dueAt = 0;
  /** Milliseconds the event loop was seen blocked, in total: loop time is wall time minus this. */
  #blockedMs = 0;

  constructor(budgetMs: number) {
    this.#budgetMs = budgetMs;
    this.#tickMs = Math.max(budgetMs / 4, 1);
  }

  /**
   * Settles like `work`, or rejects with `timeoutError(overdueMs)` once the budget is spent; `overdueMs` says how
   * late the deadline was judged (about 0 normally). `onLate` receives the value of work that finished after its
   * caller was already told it failed.
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
   * writes at once; a command that waits behind an earlier pipeline's answer waits on Redis, in loop time.
   */
  #start(): void {
    this.#starter = undefined;
    const now = performance.now();
    const deadline = now - this.#blockedMs + this.#budgetMs;
    const queue = this.#queue;
    for (let i = this.#unstarted; i < queue.length; i++) (queue[i] as PendingCall).deadline = deadline;
    this.#unstarted = queue.length;
    if (this.#timer === undefined) this.#arm(now);
  }

  /** Arms the timer for the oldest call's deadline, or a quarter budget if that comes first; none when no budget runs. */
  #arm(now: number): void {
    const deadline = this.#dropSettled();
    if (deadline === Number.POSITIVE_INFINITY) {
      this.#timer = undefined;
      return;
    }
    const delay = Math.min(Math.max(deadline + this.#blockedMs - now, 1), this.#tickMs);
    this.#dueAt = now + delay;
    this.#timer = setTimeout(() => this.#onTimer(), delay).unref();
  }

  /**
   * Counts how late the timer fired as blocked time. When the oldest call's deadline has passed, the judge runs on
   * setImmediate, after the poll phase that follows this timer has read every answer already in the socket; only
   * calls whose deadline had passed when the timer fired are judged, since only their answers had that chance.
   */
  #onTimer(): void {
    const firedAt = performance.now();
    this.#blockedMs += Math.max(firedAt - this.#dueAt, 0);
    const cutoff = firedAt - this.#blockedMs;
    if (this.#dropSettled() > cutoff) return this.#arm(firedAt);
    // Not unref'd: an unref'd immediate lets the poll phase sleep until some other event wakes the loop.
    this.#timer = setImmediate(() => this.#expire(cutoff));
  }

  /** Fails every call whose deadline (loop time) is at or before `cutoff`, then arms the timer for the next. */
  #expire(cutoff: number): void {
    const now = performance.now();
    const queue = this.#queue;
    while (this.#head < queue.length) {
      const call = queue[this.#head] as PendingCall;
      if (!call.settled && call.deadline > cutoff) break;
      if (!call.settled) {
        call.settled = true;
        call.expire(now - this.#blockedMs - call.deadline);
      }
      this.#head += 1;
    }
    this.#arm(now);
  }

  /** Forgets the answered calls at the front of the queue; the oldest pending call's deadline, Infinity for none. */
  #dropSettled(): number {
    const queue = this.#queue;
    while (this.#head < queue.length && (queue[this.#head] as PendingCall).settled) this.#head += 1;
    if (this.#head === queue.length) {
      queue.length = 0;
      this.#head = 0;
      this.#unstarted = 0;
      return Number.POSITIVE_INFINITY;
    }
    if (this.#head > 1024 && this.#head * 2 > queue.length) {
      queue.splice(0, this.#head);
      this.#unstarted = Math.max(this.#unstarted - this.#head, 0);
      this.#head = 0;
    }
    return (queue[this.#head] as PendingCall).deadline;
  }
}
