// A separate Node process that decides calls against a shared Redis, for the multi-process tests.
import { Redis } from "ioredis";
import { createGuardian, RedisStore, type GuardContext } from "../../../src/index.js";

/** What the parent asks a worker to do. */
export interface WorkerJob {
  readonly url: string;
  readonly prefix: string;
  readonly policyText: string;
  readonly policyId: string;
  readonly calls: number;
  readonly context: GuardContext;
  /** How far this process's clock is off, in ms (the guardian's `clock` is Date.now() plus this). Default 0. */
  readonly skewMs?: number;
}

/** What a worker answers: each call's outcome, in call order. */
export interface WorkerReport {
  readonly outcomes: string[];
}

const send = (message: unknown): void => void process.send?.(message);

process.once("message", (job: WorkerJob) => {
  void (async () => {
    const client = new Redis(job.url);
    await client.ping();
    const skew = job.skewMs ?? 0;
    const store = new RedisStore({ client, prefix: job.prefix, timeoutMs: 5_000 });
    const guardian = createGuardian({ policyText: job.policyText, env: {}, store, clock: () => Date.now() + skew });
    process.once("message", () => {
      void (async () => {
        const decisions = await Promise.all(Array.from({ length: job.calls }, () => guardian.check(job.policyId, job.context)));
        send({ outcomes: decisions.map((d) => d.outcome) } satisfies WorkerReport);
        client.disconnect();
      })();
    });
    send("ready");
  })();
});
