// The contract a log sink meets: append sealed lines in order, keep checkpoints apart, say when a new file starts.
import type { SealedBatch } from "./chain.js";

/**
 * A write that stored only the batch's first `lines` lines whole (a disk that filled up half-way): those are written,
 * the rest is not, and a retry starts after them.
 */
export class PartialWrite extends Error {
  readonly lines: number;

  constructor(lines: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PartialWrite";
    this.lines = lines;
  }
}

/**
 * Where sealed records go. A failed `append` throws; when it stored some of the batch's first lines whole it throws
 * PartialWrite saying how many, so that a retry never writes a record twice.
 */
export interface LogSink {
  /** For messages: `file .hexarch/guardrails.log`, `postgres table hexarch_decision_log`. */
  readonly name: string;
  /** Rotates when due; true when the next append starts a new file (the chain then writes a `continue` record first). */
  rotateIfFull(): Promise<boolean>;
  /** Appends the batch's lines, in order: all of them, or throws (PartialWrite when a first part was stored). */
  append(batch: SealedBatch): Promise<void>;
  /** Stores one signed checkpoint line beside the log. */
  appendCheckpoint(line: string): Promise<void>;
  /** Releases files or connections. */
  close(): Promise<void>;
}
