// The newest decision records of the server's log that pass a test: what GET /v1/decisions and the budgets page show.
import { logFiles, logTable, type StoredLog } from "../log/read.js";
import { openPgPool } from "../log/settings.js";
import type { ServerDeps } from "./server-deps.js";

/** The log the server reads back, opened per request (the file is read as it stands now). */
function openLog(deps: ServerDeps): StoredLog | undefined {
  const target = deps.logTarget;
  if (target === undefined) return undefined;
  if (target.kind === "file") return logFiles([target.path]);
  return logTable(openPgPool(target.url, { file: "<server>", path: "logging.postgres_url" }, process.cwd()), target.table);
}

/**
 * The last `limit` records (oldest first) that `matches` keeps, after writing out what the log still queues; undefined
 * when the server keeps no decision log.
 * @example const refusals = await lastRecords(deps, recordMatcher({ outcome: "limit" }, undefined), 10);
 */
export async function lastRecords<T>(deps: ServerDeps, matches: (record: unknown) => record is T, limit: number): Promise<T[] | undefined> {
  const log = openLog(deps);
  if (log === undefined) return undefined;
  await deps.log?.flush();
  const found: T[] = [];
  try {
    for await (const line of log.lines()) {
      if (line.last) continue;
      let record: unknown;
      try {
        record = JSON.parse(line.text);
      } catch {
        continue;
      }
      if (!matches(record)) continue;
      found.push(record);
      if (found.length > limit) found.shift();
    }
  } catch (error) {
    // A log file not yet written (no decision since the server started on a new path) holds no records.
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  } finally {
    await log.close();
  }
  return found;
}
