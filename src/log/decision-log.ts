// The decision log: buffers records off the request path, writes them in sealed batches, and survives sink outages.
import type { GuardContext } from "../engine/context.js";
import { decisionWith, type Decision } from "../engine/decision.js";
import { SILENT_LOGGER, type Logger } from "../errors/warnings.js";
import type { Chain, Checkpoint, SealedBatch } from "./chain.js";
import { closeBeforeExit } from "./close-before-exit.js";
import {
  approvalRecord,
  decisionRecord,
  gapRecord,
  settleRecord,
  type ApprovalStepFields,
  type AskedPolicies,
  type RecordBody,
  type RecordShape,
} from "./records.js";
import { PartialWrite, type LogSink } from "./sink.js";
import type { Witness } from "./witness.js";

/** Which decisions a level writes. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Stable code of the warning given once per outage. */
export const LOG_UNAVAILABLE = "HEXARCH_LOG_UNAVAILABLE";

/** Longest wait between two flushes, in milliseconds. */
export const FLUSH_INTERVAL_MS = 100;

/** Everything a DecisionLog needs, resolved from the policy file and the environment. */
export interface DecisionLogOptions {
  readonly sink: LogSink;
  readonly chain: Chain;
  readonly level: LogLevel;
  readonly shape: RecordShape;
  readonly environment: string;
  /** Refuse calls while records cannot be written. */
  readonly required: boolean;
  readonly checkpointEvery: number;
  readonly checkpointMs: number;
  /** Most records waiting to be written; more are dropped and counted. */
  readonly buffer: number;
  readonly logger: Logger;
  readonly clock?: () => number;
  /** Where every signed chain head also goes (`logging.witness`), off the decision path. */
  readonly witness?: Witness | undefined;
  /** Close (write everything out) when the process runs out of work, if not closed before. Never listens for signals. */
  readonly closeBeforeExit?: boolean;
}

/** A decision or settlement waiting to be written: built into a record only at flush time. */
type Pending =
  | {
      readonly decision: Decision;
      readonly context: GuardContext;
      readonly id: string;
      readonly at: number;
      readonly asked: AskedPolicies | undefined;
    }
  | { readonly body: RecordBody };

/** Whether `level` writes a decision with this outcome. */
function writes(level: LogLevel, outcome: Decision["outcome"]): boolean {
  if (level === "error") return outcome === "error";
  if (level === "warn") return outcome !== "allow";
  return true;
}

/**
 * Records decisions without ever making a call wait: `record()` only queues; a timer (≤ 100 ms) seals and writes
 * the queue in one batch. When the sink fails, records stay queued up to `buffer`, the rest are counted, a warning
 * is given once per outage, and the first successful write starts with a gap record saying how many were lost.
 * @example const decision = log.record(await engine.decide(ctx), ctx);
 */
export class DecisionLog {
  readonly required: boolean;
  readonly #options: DecisionLogOptions;
  readonly #clock: () => number;
  #queue: Pending[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #failing: Error | undefined;
  #lost = 0;
  #lostFrom = 0;
  #lostTo = 0;
  #counter = 0;
  #lastCheckpointSeq = -1;
  #lastCheckpointAt: number;
  #closed = false;
  #startsFile = false;
  #forgetAtExit: () => void = () => undefined;

  constructor(options: DecisionLogOptions) {
    this.#options = options;
    this.required = options.required;
    this.#clock = options.clock ?? Date.now;
    this.#lastCheckpointAt = this.#clock();
    if (options.closeBeforeExit === true) this.#forgetAtExit = closeBeforeExit(this);
  }

  /** Where records go, for messages. */
  get sinkName(): string {
    return this.#options.sink.name;
  }

  /** Records dropped in the current outage (0 when none). */
  get lost(): number {
    return this.#lost;
  }

  /** False while the sink fails or the buffer is full: with `required`, calls are then refused. */
  accepting(): boolean {
    return this.#failing === undefined && this.#queue.length < this.#options.buffer;
  }

  /**
   * Queues the decision's record (when the level writes it) and returns the decision to hand out: the same one,
   * or, when it reserved budget, one whose `settle()` also records the settlement. `givenId` is the record's id
   * when the caller hands out its own (the decision server's decision ids); default: `<chain>-<n>`. `asked` says how the
   * decision was asked for (the policy ids named, or `*` for every policy), so that `hexarch replay` asks the same way.
   */
  record(decision: Decision, context: GuardContext, givenId?: string, asked?: AskedPolicies): Decision {
    if (!writes(this.#options.level, decision.outcome)) return decision;
    this.#counter += 1;
    const id = givenId ?? `${this.#options.chain.id.slice(0, 8)}-${this.#counter}`;
    this.#push({ decision, context, id, at: this.#clock(), asked });
    if (!decision.counters.some((counter) => counter.kind === "budget")) return decision;
    return decisionWith(decision, {
      settle: { settle: (cost) => this.#settled(decision, id, cost), estimate: decision.reserved, counters: decision.reservedCounters },
    });
  }

  async #settled(decision: Decision, id: string, cost: number): Promise<void> {
    await decision.settle(cost);
    const budget = decision.counters.find((counter) => counter.kind === "budget");
    this.#push({ body: settleRecord(id, this.#clock(), budget?.rule.policyId ?? decision.policyId, cost) });
  }

  /**
   * Records a settlement made outside this process's decisions (the decision server settling an id any instance issued).
   * @example log.recordSettlement("d_x1", "openai_budget", 0.37)
   */
  recordSettlement(id: string, policy: string | undefined, cost: number): void {
    this.#push({ body: settleRecord(id, this.#clock(), policy, cost) });
  }

  /**
   * Records one step of an approval request (requested, approved or denied by someone, used, expired), at every level.
   * @example log.recordApproval({ id: "ap_…", step: "approved", policy: "prod_delete", by: "ada" })
   */
  recordApproval(fields: ApprovalStepFields): void {
    this.#push({ body: approvalRecord(this.#clock(), fields) });
  }

  #push(pending: Pending): void {
    if (this.#closed || this.#queue.length >= this.#options.buffer) {
      this.#drop(1);
      return;
    }
    this.#queue.push(pending);
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        void this.flush();
      }, FLUSH_INTERVAL_MS);
      this.#timer.unref();
    }
  }

  #drop(count: number): void {
    const now = this.#clock();
    if (this.#lost === 0) this.#lostFrom = now;
    this.#lost += count;
    this.#lostTo = now;
  }

  #body(pending: Pending): RecordBody {
    if ("body" in pending) return pending.body;
    const { id, at, decision, context, asked } = pending;
    return decisionRecord(id, at, decision, context, this.#options.environment, this.#options.shape, asked);
  }

  /**
   * Writes everything queued before the call; resolves when done (or when the sink failed: the records stay queued).
   * A write already under way holds only what was queued when it began, so this waits for it and writes the rest.
   */
  async flush(): Promise<void> {
    while (this.#flushing !== undefined) await this.#flushing;
    if (this.#queue.length === 0 && this.#lost === 0) return;
    this.#flushing = this.#write().finally(() => {
      this.#flushing = undefined;
    });
    await this.#flushing;
  }

  async #write(): Promise<void> {
    const { sink, chain } = this.#options;
    const taken = this.#queue;
    this.#queue = [];
    const lost = this.#lost;
    const bodies = taken.map((pending) => this.#body(pending));
    if (lost > 0) bodies.unshift(gapRecord(lost, this.#lostFrom, this.#lostTo, this.#failing?.message ?? "the buffer was full"));
    if (bodies.length === 0) return;
    let sealed: SealedBatch | undefined;
    try {
      this.#startsFile = (await sink.rotateIfFull()) || this.#startsFile;
      sealed = chain.seal(bodies, this.#startsFile);
      await sink.append(sealed);
      chain.commit(sealed);
      this.#startsFile = false;
    } catch (error) {
      const written =
        error instanceof PartialWrite && sealed !== undefined ? this.#partlyWritten(sealed, error.lines, bodies.length, lost) : 0;
      this.#failed(error instanceof Error ? error : new Error(String(error)), taken.slice(written));
      return;
    }
    this.#lost -= lost;
    if (this.#failing !== undefined) {
      this.#options.logger.info({ code: LOG_UNAVAILABLE, sink: sink.name, lost }, "hexarch: decision log writable again");
      this.#failing = undefined;
    }
    await this.#checkpoints(sealed);
    if (this.#queue.length > 0 && this.#timer === undefined && !this.#closed) void this.flush();
  }

  /**
   * Commits the first `lines` lines of a batch the sink stored only in part, and says how many queued records they held
   * (the header or `continue` record, and the gap record, come before them).
   */
  #partlyWritten(batch: SealedBatch, lines: number, bodies: number, lost: number): number {
    this.#options.chain.commit(batch, lines);
    this.#startsFile = false;
    let records = Math.max(0, lines - (batch.lines.length - bodies));
    if (lost > 0 && records > 0) {
      this.#lost -= lost;
      records -= 1;
    }
    return records;
  }

  #failed(error: Error, taken: Pending[]): void {
    const room = Math.max(0, this.#options.buffer - this.#queue.length);
    const kept = taken.slice(0, room);
    this.#queue = [...kept, ...this.#queue];
    if (taken.length > kept.length) this.#drop(taken.length - kept.length);
    if (this.#failing === undefined) {
      const message = `decision log ${this.#options.sink.name} cannot be written (${error.message}); ${this.required ? "calls are refused (logging.required)" : "decisions go on, lost records are counted"}`;
      this.#options.logger.error({ code: LOG_UNAVAILABLE, err: error }, `hexarch: ${message}`);
      if (this.#options.logger === SILENT_LOGGER) process.emitWarning(message, { code: LOG_UNAVAILABLE, type: "HexarchWarning" });
    }
    this.#failing = error;
    if (this.#timer === undefined && !this.#closed) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        void this.flush();
      }, FLUSH_INTERVAL_MS * 5);
      this.#timer.unref();
    }
  }

  /** Signs a checkpoint at every `checkpointEvery`-th record the batch wrote, and at its head when `checkpointMs` has passed. */
  async #checkpoints(batch: SealedBatch): Promise<void> {
    const { checkpointEvery, checkpointMs, chain } = this.#options;
    const firstSeq = batch.seq - batch.macs.length + 1;
    const now = this.#clock();
    const due: Checkpoint[] = [];
    for (
      let seq = (Math.floor(Math.max(0, this.#lastCheckpointSeq) / checkpointEvery) + 1) * checkpointEvery;
      seq <= batch.seq;
      seq += checkpointEvery
    ) {
      const mac = batch.macs[seq - firstSeq];
      if (mac !== undefined) due.push(chain.checkpoint(now, seq, mac));
    }
    if (now - this.#lastCheckpointAt >= checkpointMs && due.at(-1)?.seq !== batch.seq) due.push(chain.checkpoint(now));
    for (const checkpoint of due) await this.#writeCheckpoint(checkpoint, now);
  }

  async #writeCheckpoint(checkpoint: Checkpoint, now: number): Promise<void> {
    // The head vouches for records already written, whether or not the checkpoint file takes it.
    this.#options.witness?.send(checkpoint);
    try {
      await this.#options.sink.appendCheckpoint(JSON.stringify(checkpoint));
      this.#lastCheckpointSeq = checkpoint.seq;
      this.#lastCheckpointAt = now;
    } catch (error) {
      this.#failed(error instanceof Error ? error : new Error(String(error)), []);
    }
  }

  /** Writes everything queued and a final checkpoint, then releases the sink. A graceful shutdown loses nothing. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#forgetAtExit();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (let attempt = 0; attempt < 3 && (this.#queue.length > 0 || this.#lost > 0); attempt += 1) {
      await this.#flushing;
      await this.flush();
    }
    await this.#flushing;
    const { chain } = this.#options;
    if (chain.seq > this.#lastCheckpointSeq) await this.#writeCheckpoint(chain.checkpoint(this.#clock()), this.#clock());
    await Promise.all([this.#options.sink.close(), this.#options.witness?.close()]);
  }
}
