// The file sink: JSONL appended in batches, rotated by size into FILE.1 … FILE.keep, checkpoints in FILE.checkpoints.
import { appendFile, mkdir, rename, rm, stat, truncate } from "node:fs/promises";
import { dirname } from "node:path";
import type { SealedBatch } from "./chain.js";
import type { LogSink } from "./sink.js";

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
 * Appends log lines to a file, one `appendFile` per batch. A write that fails half-way is cut back to the
 * last whole line so the retry does not leave a torn record in the middle of the file.
 * @example const sink = new FileSink({ path: ".hexarch/guardrails.log", maxBytes: 10_485_760, keep: 5 });
 */
export class FileSink implements LogSink {
  readonly name: string;
  readonly #options: FileSinkOptions;
  #size: number | undefined;
  #folderReady = false;

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
    const text = `${lines.join("\n")}\n`;
    try {
      await appendFile(this.#options.path, text, "utf8");
    } catch (error) {
      this.#size = undefined;
      await truncate(this.#options.path, before).catch(() => undefined);
      throw error;
    }
    this.#size = before + Buffer.byteLength(text, "utf8");
  }

  async appendCheckpoint(line: string): Promise<void> {
    await this.#ready();
    await appendFile(checkpointPath(this.#options.path), `${line}\n`, "utf8");
  }

  async close(): Promise<void> {}
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
}
