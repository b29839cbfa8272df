// The file sink: JSONL appended in batches, rotated by size into FILE.1 … FILE.keep, checkpoints in FILE.checkpoints.
import { appendFile, mkdir, open, rename, rm, stat } from "node:fs/promises";
import { dirname } from "node:path";
import type { SealedBatch } from "./chain.js";
import { PartialWrite, type LogSink } from "./sink.js";

/** Where the file sink writes and when it rotates. */
export interface FileSinkOptions {
  readonly path: string;
  /** Rotate once the file reaches this many bytes; undefined: never. */
  readonly maxBytes: number | undefined;
  /** Rotated files kept (default 5). */
  readonly keep: number;
}

/** The checkpoint file that belongs to a log file. */
export function checkpointPath(logPath: string): string {
  return `${logPath}.checkpoints`;
}

/** The size of `path`, 0 when it does not exist. */
async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw error;
  }
}

/**
 * Appends log lines to a file, one `appendFile` per batch. A write that fails half-way leaves its torn part where it
 * is, since other processes may append to the same file (cutting the file back would cut their records too): the
 * records written whole before it count as written (PartialWrite), the retry starts on a new line after them, and
 * `verify` names the torn part and reads any record another writer appended right after it.
 * @example const sink = new FileSink({ path: ".hexarch/guardrails.log", maxBytes: 10_485_760, keep: 5 });
 */
export class FileSink implements LogSink {
  readonly name: string;
  readonly #options: FileSinkOptions;
  #size: number | undefined;
  #folderReady = false;
  /** A write failed since the last one that succeeded, perhaps half-way through a record. */
  #mayBeTorn = false;

  constructor(options: FileSinkOptions) {
    this.#options = options;
    this.name = `file ${options.path}`;
  }

  async #ready(): Promise<number> {
    if (!this.#folderReady) {
      await mkdir(dirname(this.#options.path), { recursive: true });
      this.#folderReady = true;
    }
    this.#size ??= await sizeOf(this.#options.path);
    return this.#size;
  }

  async rotateIfFull(): Promise<boolean> {
    const { path, maxBytes, keep } = this.#options;
    const size = await this.#ready();
    if (maxBytes === undefined || size < maxBytes) return false;
    if (keep === 0) await rm(path, { force: true });
    else {
      await rm(`${path}.${keep}`, { force: true });
      for (let index = keep - 1; index >= 1; index -= 1) await rename(`${path}.${index}`, `${path}.${index + 1}`).catch(ignoreMissing);
      await rename(path, `${path}.1`);
    }
    this.#size = 0;
    return true;
  }

  async append({ lines }: SealedBatch): Promise<void> {
    const before = await this.#ready();
    // After a failed write the file may end in part of a record: the next batch starts on a line of its own.
    const lead = this.#mayBeTorn ? "\n" : "";
    const bytes = Buffer.from(`${lead}${lines.join("\n")}\n`, "utf8");
    let written = 0;
    let failure: unknown;
    try {
      // One write(2) with O_APPEND: it lands whole, or its first `written` bytes do, after whatever other writers appended.
      const handle = await open(this.#options.path, "a");
      try {
        written = (await handle.write(bytes, 0, bytes.length)).bytesWritten;
      } finally {
        await handle.close();
      }
    } catch (error) {
      failure = error;
    }
    if (failure === undefined && written === bytes.length) {
      this.#mayBeTorn = false;
      this.#size = before + bytes.length;
      return;
    }
    // Never cut the file back: another process may have appended after the part written here. verify names the torn part.
    this.#size = undefined;
    this.#mayBeTorn = true;
    const whole = wholeLines(lines, Buffer.byteLength(lead), written);
    const why = failure instanceof Error ? failure.message : `the disk took ${written} of ${bytes.length} bytes`;
    if (whole > 0) throw new PartialWrite(whole, `${why} (the first ${whole} of ${lines.length} records were written)`, { cause: failure });
    throw failure instanceof Error ? failure : new Error(why, { cause: failure });
  }

  async appendCheckpoint(line: string): Promise<void> {
    await this.#ready();
    await appendFile(checkpointPath(this.#options.path), `${line}\n`, "utf8");
  }

  async close(): Promise<void> {}
}

/** How many of `lines` (each followed by a newline, after `lead` bytes) the first `written` bytes hold whole. */
function wholeLines(lines: readonly string[], lead: number, written: number): number {
  let end = lead;
  for (let index = 0; index < lines.length; index += 1) {
    end += Buffer.byteLength(lines[index] ?? "", "utf8") + 1;
    if (end > written) return index;
  }
  return lines.length;
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
}
