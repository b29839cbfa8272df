// `hexarch log query --follow`: a log file read as it grows, across rotations, saying when records went unread.
import { open, stat, type FileHandle } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { StringDecoder } from "node:string_decoder";
import { UsageError } from "../exit-codes.js";
import type { Terminal } from "../terminal.js";

/**
 * The rotated files written after `file`, oldest first: `path.N-1` … `path.1` when it is now `path.N`. When it is
 * gone (rotated past `keep` and removed), the rotated files last written after it.
 */
async function rotatedAfter(path: string, file: FollowedFile): Promise<string[]> {
  const newer: { name: string; mtimeMs: number }[] = [];
  for (let n = 1; ; n += 1) {
    const name = `${path}.${n}`;
    const found = await stat(name).catch(() => undefined);
    if (found?.ino === file.ino) return newer.reverse().map((rotated) => rotated.name);
    if (found === undefined) {
      const lastWritten = await file.lastWritten();
      return newer
        .reverse()
        .filter((rotated) => rotated.mtimeMs >= lastWritten)
        .map((rotated) => rotated.name);
    }
    newer.push({ name, mtimeMs: found.mtimeMs });
  }
}

/**
 * Tells a follower (on standard error) when records of a chain went by unread: their file was rotated past `keep`
 * and removed before the follower reached it. Gaps are counted from the first record seen of each chain on.
 */
export class SkippedRecords {
  readonly #terminal: Terminal;
  readonly #lastSeq = new Map<string, number>();

  constructor(terminal: Terminal) {
    this.#terminal = terminal;
  }

  see(record: unknown): void {
    const { chain, seq } = (record ?? {}) as { chain?: unknown; seq?: unknown };
    if (typeof chain !== "string" || typeof seq !== "number") return;
    const last = this.#lastSeq.get(chain);
    if (last !== undefined && seq > last + 1) {
      const range = seq === last + 2 ? `record ${last + 1}` : `records ${last + 1}-${seq - 1}`;
      this.#terminal.err(
        `hexarch: ${range} of chain ${chain} went unread: the file holding them was rotated away (logging.keep) before this follower reached it`,
      );
    }
    if (last === undefined || seq > last) this.#lastSeq.set(chain, seq);
  }
}

/** How much of a followed file is read at once. */
const FOLLOW_CHUNK_BYTES = 1 << 20;

/** An open file being followed: what was read of it so far, and the start of a line not yet complete. */
class FollowedFile {
  readonly #handle: FileHandle;
  readonly ino: number;
  readonly #decoder = new StringDecoder("utf8");
  readonly #chunk = Buffer.alloc(FOLLOW_CHUNK_BYTES);
  #offset = 0;
  #partial = "";

  private constructor(handle: FileHandle, ino: number) {
    this.#handle = handle;
    this.ino = ino;
  }

  /** Opens `path`, or undefined while it is missing (between a rotation and the next write). */
  static async open(path: string): Promise<FollowedFile | undefined> {
    const handle = await open(path, "r").catch(() => undefined);
    if (handle === undefined) return undefined;
    return new FollowedFile(handle, (await handle.stat()).ino);
  }

  /** Shows every complete line written since the last call; starts over when the file was truncated. */
  async drain(show: (text: string) => void): Promise<void> {
    if ((await this.#handle.stat()).size < this.#offset) this.#offset = 0;
    for (;;) {
      const { bytesRead } = await this.#handle.read(this.#chunk, 0, this.#chunk.length, this.#offset);
      if (bytesRead === 0) return;
      this.#offset += bytesRead;
      const lines = (this.#partial + this.#decoder.write(this.#chunk.subarray(0, bytesRead))).split("\n");
      this.#partial = lines.pop() ?? "";
      for (const line of lines) if (line !== "") show(line);
    }
  }

  /** When the file was last written (epoch ms), read through the open descriptor, so also after it was removed. */
  async lastWritten(): Promise<number> {
    return (await this.#handle.stat()).mtimeMs;
  }

  close(): Promise<void> {
    return this.#handle.close();
  }
}

/**
 * Prints lines appended to `path` as they arrive, until the process is stopped. The file is followed by its
 * descriptor: when the writer rotates it (another file appears under the name), the rest of the old file is
 * read to its end, then any file rotated after it, then the new one, so no record is skipped at a rotation.
 */
export async function follow(path: string | undefined, show: (text: string) => void): Promise<never> {
  if (path === undefined) throw new UsageError("--follow needs a log file");
  let file: FollowedFile | undefined;
  for (;;) {
    const named = await stat(path).then(
      ({ ino }) => ino,
      () => undefined,
    );
    if (file !== undefined && named !== file.ino) {
      await file.drain(show);
      const rotated = await rotatedAfter(path, file);
      await file.close();
      for (const name of rotated) {
        const between = await FollowedFile.open(name);
        await between?.drain(show);
        await between?.close();
      }
      file = undefined;
    }
    file ??= await FollowedFile.open(path);
    await file?.drain(show);
    await sleep(250);
  }
}
