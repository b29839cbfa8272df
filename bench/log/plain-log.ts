// The floor of any decision log: one plain JSON line per decision, queued and written every 100 ms, without a
// chain, a MAC, a schema of columns or a retry. What hexarch's log costs beyond this is the price of its guarantees.
import { appendFile } from "node:fs/promises";
import pg from "pg";

/** Where the plain lines go. */
export type PlainTarget = { readonly file: string } | { readonly url: string; readonly table: string };

/** Writes queued lines in one go. */
type Writer = (text: string) => Promise<unknown>;

function writerFor(target: PlainTarget): Writer {
  if ("file" in target) return (text) => appendFile(target.file, `${text}\n`, "utf8");
  const pool = new pg.Pool({ connectionString: target.url, max: 1 });
  const created = pool.query(`CREATE TABLE IF NOT EXISTS ${target.table} (line text NOT NULL)`);
  const insert = `INSERT INTO ${target.table} (line) SELECT unnest(string_to_array($1, E'\\n'))`;
  return async (text) => {
    await created;
    return pool.query(insert, [text]);
  };
}

/**
 * A queue of lines flushed every 100 ms to `target`.
 * @example const log = plainLog({ file: "/tmp/plain.log" }); log(JSON.stringify(record));
 */
export function plainLog(target: PlainTarget): (line: string) => void {
  const write = writerFor(target);
  let queue: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    const text = queue.join("\n");
    queue = [];
    write(text).catch((error: unknown) => console.error(error));
  };
  return (line) => {
    queue.push(line);
    timer ??= setTimeout(flush, 100);
  };
}
