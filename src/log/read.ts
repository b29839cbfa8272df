// Reads a log back, line by line, from files (with their rotated siblings) or from a Postgres table.
import { createReadStream, existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import { checkpointPath } from "./file-sink.js";
import type { PgPoolLike } from "./postgres-sink.js";

/** One stored record line and where it is. `last` marks a final line with no newline after it (a torn write). */
export interface StoredLine {
  readonly where: string;
  readonly text: string;
  readonly last: boolean;
}

/** A log to read: its record lines in write order, and its checkpoints. */
export interface StoredLog {
  /** What was read, for messages: the file names or the table. */
  readonly names: readonly string[];
  /** Rotated files that should be there and are not (a gap in FILE.1 … FILE.N). */
  readonly missing: readonly string[];
  lines(): AsyncIterable<StoredLine>;
  /** The same lines a page at a time (a read of a file, a query's rows): one wait per page rather than per line. */
  pages(): AsyncIterable<readonly StoredLine[]>;
  checkpoints(): Promise<{ where: string; text: string }[]>;
  close(): Promise<void>;
}

/** A rotated set as found on disk: its files oldest first, and the rotated files missing below the highest one. */
export interface RotatedSet {
  readonly files: readonly string[];
  /** `path.K` for every K between 1 and the highest N with no file: removed by hand, since rotation only drops the oldest. */
  readonly missing: readonly string[];
}

/** The rotated siblings of `path` that exist (`path.N` … `path.1`, oldest first), then `path` itself, and the gaps among them. */
export function rotatedSet(path: string): RotatedSet {
  const name = basename(path);
  let entries: string[];
  try {
    entries = readdirSync(dirname(path));
  } catch {
    entries = [];
  }
  const numbers = new Set<number>();
  for (const entry of entries) {
    const suffix = entry.startsWith(`${name}.`) ? entry.slice(name.length + 1) : "";
    if (/^[1-9]\d{0,5}$/.test(suffix)) numbers.add(Number(suffix));
  }
  const highest = Math.max(0, ...numbers);
  const files: string[] = [];
  const missing: string[] = [];
  for (let index = highest; index >= 1; index -= 1) (numbers.has(index) ? files : missing).push(`${path}.${index}`);
  return { files: [...files, path], missing };
}

/** The rotated siblings of `path` that exist (`path.N` … `path.1`, oldest first), then `path` itself. */
export function withRotated(path: string): string[] {
  return [...rotatedSet(path).files];
}

/** The lines of one file, numbered from 1, a read (1 MiB) at a time, streamed so a large log is never held whole in memory. */
export async function* filePages(path: string): AsyncGenerator<StoredLine[]> {
  let rest = "";
  let number = 0;
  for await (const chunk of createReadStream(path, { encoding: "utf8", highWaterMark: 1 << 20 })) {
    const text = rest + (chunk as string);
    const page: StoredLine[] = [];
    let start = 0;
    for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
      number += 1;
      page.push({ where: `${path}:${number}`, text: text.slice(start, end), last: false });
      start = end + 1;
    }
    rest = text.slice(start);
    if (page.length > 0) yield page;
  }
  if (rest !== "") yield [{ where: `${path}:${number + 1}`, text: rest, last: true }];
}

/** The lines of one file, numbered from 1, streamed so a large log is never held whole in memory. */
export async function* fileLines(path: string): AsyncGenerator<StoredLine> {
  for await (const page of filePages(path)) yield* page;
}

/** The lines of `pages`, one by one. */
async function* linesOf(pages: AsyncIterable<readonly StoredLine[]>): AsyncGenerator<StoredLine> {
  for await (const page of pages) yield* page;
}

/**
 * The log kept in `files` (one name brings its rotated siblings along), read oldest file first, with the
 * checkpoint files that belong to them.
 * @example for await (const line of logFiles([".hexarch/guardrails.log"]).lines()) console.log(line.where);
 */
export function logFiles(files: readonly string[], options: { readonly rotated?: boolean } = {}): StoredLog {
  const set = files.length === 1 && files[0] !== undefined && options.rotated !== false ? rotatedSet(files[0]) : undefined;
  const paths = set === undefined ? [...files] : set.files;
  const bases = [...new Set(paths.map((path) => path.replace(/\.\d+$/, "")))];
  async function* pages(): AsyncGenerator<StoredLine[]> {
    for (const path of paths) yield* filePages(path);
  }
  return {
    names: paths,
    missing: set?.missing ?? [],
    pages,
    lines: () => linesOf(pages()),
    async checkpoints() {
      return bases.flatMap((base) => {
        const path = checkpointPath(base);
        if (!existsSync(path)) return [];
        return readFileSync(path, "utf8")
          .split("\n")
          .flatMap((text, index) => (text.trim() === "" ? [] : [{ where: `${path}:${index + 1}`, text }]));
      });
    },
    async close() {},
  };
}

/** Rows read per query. */
const PAGE = 10_000;

/**
 * The log kept in a Postgres table, rows in insertion order (every chain's rows keep their own order), read a page at a time.
 * @example const log = logTable(pool, "hexarch_decision_log");
 */
export function logTable(pool: PgPoolLike, table: string): StoredLog {
  async function* pages(): AsyncGenerator<StoredLine[]> {
    let after = "0";
    for (;;) {
      const { rows } = await pool.query(`SELECT id::text AS row_id, line FROM ${table} WHERE id > $1 ORDER BY id LIMIT ${PAGE}`, [after]);
      yield rows.map((row) => ({ where: `${table} row ${String(row["row_id"])}`, text: String(row["line"]), last: false }));
      if (rows.length < PAGE) return;
      after = String(rows[rows.length - 1]?.["row_id"]);
    }
  }
  return {
    names: [table],
    missing: [],
    pages,
    lines: () => linesOf(pages()),
    async checkpoints() {
      const { rows } = await pool.query(`SELECT id::text AS row_id, line FROM ${table}_checkpoints ORDER BY id`);
      return rows.map((row) => ({ where: `${table}_checkpoints row ${String(row["row_id"])}`, text: String(row["line"]) }));
    },
    close: () => pool.end(),
  };
}
