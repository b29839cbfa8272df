// The contract a log sink meets: append sealed lines in order, keep checkpoints apart, say when a new file starts.
import type { SealedBatch } from "./chain.js";

/** Where sealed records go. A failed `append` must leave no partial record behind that a retry would duplicate. */
export interface LogSink {
  /** For messages: `file .hexarch/guardrails.log`, `postgres table hexarch_decision_log`. */
  readonly name: string;
  /** Rotates when due; true when the next append starts a new file (the chain then writes a `continue` record first). */
  rotateIfFull(): Promise<boolean>;
  /** Appends the batch's lines, in order, all or nothing. */
  append(batch: SealedBatch): Promise<void>;
  /** Stores one signed checkpoint line beside the log. */
  appendCheckpoint(line: string): Promise<void>;
  /** Releases files or connections. */
  close(): Promise<void>;
}
