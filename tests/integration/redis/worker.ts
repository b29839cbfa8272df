// A separate Node process that decides calls against a shared Redis, for the multi-process tests.
import { Redis } from "ioredis";
import { createGuardian, RedisStore, type GuardContext, type Guardian } from "../../../src/index.js";

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

/** The job set up last, waiting for its "go". */
let pending: Promise<{ guardian: Guardian; job: WorkerJob; client: Redis }> | undefined;

async function setUp(job: WorkerJob): Promise<{ guardian: Guardian; job: WorkerJob; client: Redis }> {
  const client = new Redis(job.url);
  await client.ping();
  const skew = job.skewMs ?? 0;
  const store = new RedisStore({ client, prefix: job.prefix, timeoutMs: 5_000 });
  const guardian = createGuardian({ policyText: job.policyText, env: {}, store, clock: () => Date.now() + skew });
  return { guardian, job, client };
}

// A worker takes jobs one after another for as long as its parent keeps it: a job message sets one up and answers
// "ready"; "go" runs it and answers with the outcomes.
process.on("message", (message: WorkerJob | "go") => {
  void (async () => {
    if (message !== "go") {
      pending = setUp(message);
      await pending;
      send("ready");
      return;
    }
    const { guardian, job, client } = await (pending as NonNullable<typeof pending>);
    const decisions = await Promise.all(Array.from({ length: job.calls }, () => guardian.check(job.policyId, job.context)));
    send({ outcomes: decisions.map((d) => d.outcome) } satisfies WorkerReport);
    client.disconnect();
  })();
});
