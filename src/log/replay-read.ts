// Reads one or more stored logs for replay in one streamed pass: verified line by line, merged by time across chains and logs.
import type { StoredLine, StoredLog } from "./read.js";
import { readDecision, type ReadRecord } from "./replay-record.js";
import { LogVerifier, type VerifyReport } from "./verify.js";

/** A record waiting in the merge, in time order (ties: the order read). */
type Queued =
  | { readonly at: number; readonly n: number; readonly decision: ReadRecord }
  | { readonly at: number; readonly n: number; readonly settle: { readonly id: string; readonly cost: number } };

/** Where the records go, in time order. */
export interface ReplayTarget {
  decision(record: ReadRecord): void;
  settle(id: string, cost: number): Promise<void>;
  unreadable(): void;
}

/** What reading found besides the records. */
export interface ReplayReading {
  /** The verification report; undefined when verifying was skipped. */
  readonly report: VerifyReport | undefined;
  /** The `level` of each chain header (`unknown` for headers written before it was recorded). */
  readonly levels: ReadonlySet<string>;
  /** Records that arrived more than the merge could hold after later ones, replayed late, in the order read. */
  readonly late: number;
  /** Lines that are not log records (only counted without verification; verification names them). */
  readonly notRecords: number;
}

/** Records held to put chains written side by side back in time order; the oldest goes once more arrive. */
const MERGE_RECORDS = 16_384;
/**
 * A record is replayed once every log read has gone this far past it: writers flush every 100 ms, so chains sharing a file or a
 * table interleave far closer than this; records held back longer (a writer's outage) are replayed late, with a note. Holding
 * fewer records also keeps them out of the old generation: 10 s cost about 15% more CPU on a 200,000-record log (noisy machine).
 */
const MERGE_SLACK_MS = 2_000;

const before = (a: Queued, b: Queued): boolean => a.at < b.at || (a.at === b.at && a.n < b.n);

/** A binary min-heap of queued records. */
class MergeHeap {
  readonly items: Queued[] = [];

  push(item: Queued): void {
    const { items } = this;
    let i = items.push(item) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(item, items[parent] as Queued)) break;
      items[i] = items[parent] as Queued;
      i = parent;
    }
    items[i] = item;
  }

  pop(): Queued | undefined {
    const { items } = this;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && before(items[right] as Queued, items[left] as Queued) ? right : left;
      if (!before(items[child] as Queued, last)) break;
      items[i] = items[child] as Queued;
      i = child;
    }
    items[i] = last;
    return top;
  }
}

type Plain = Readonly<Record<string, unknown>>;

/**
 * Reads `logs` (each a file with its rotated siblings, or a table) at once, oldest record first across them, verifying every
 * line with `key` unless `verify` is false, and hands decision and settle records at or after no time before `until` to
 * `target` in time order. Memory stays flat: one line per log, and at most MERGE_RECORDS records waiting to be merged.
 * @example const reading = await readForReplay([logFiles(["app.log"])], key, true, undefined, replay);
 */
export async function readForReplay(
  logs: readonly StoredLog[],
  key: string | undefined,
  verify: boolean,
  until: number | undefined,
  target: ReplayTarget,
): Promise<ReplayReading> {
  const checkpoints = verify ? (await Promise.all(logs.map((log) => log.checkpoints()))).flat() : [];
  const verifier = verify ? new LogVerifier(key, checkpoints) : undefined;
  // A file of a rotated set that is not there is a break in its chain, as `log verify` says.
  for (const log of logs) for (const path of log.missing) verifier?.missingFile(path);
  const heap = new MergeHeap();
  const levels = new Set<string>();
  const reached = logs.map(() => Number.NEGATIVE_INFINITY);
  let current = 0;
  let read = 0;
  let emitted = Number.NEGATIVE_INFINITY;
  let late = 0;
  let notRecords = 0;

  const take = (record: Plain): void => {
    const { type } = record;
    if (type === "header") levels.add(typeof record["level"] === "string" ? record["level"] : "unknown");
    if (type !== "decision" && type !== "settle") return;
    if (type === "settle") {
      const { id, cost, time } = record;
      const at = typeof time === "string" ? Date.parse(time) : Number.NaN;
      if (typeof id !== "string" || typeof cost !== "number" || !Number.isFinite(cost) || Number.isNaN(at)) target.unreadable();
      else if (until === undefined || at < until) heap.push({ at, n: read++, settle: { id, cost } });
      return;
    }
    const decision = readDecision(record);
    if (typeof decision === "string") target.unreadable();
    else if (until === undefined || decision.at < until) {
      heap.push({ at: decision.at, n: read++, decision });
      if (decision.at > (reached[current] as number)) reached[current] = decision.at;
    }
  };
  if (verifier !== undefined) verifier.onRecord = take;

  // A decision is replayed synchronously; only a settle is waited for, so a decision costs no turn of the event loop.
  const emit = (queued: Queued): Promise<void> | undefined => {
    if (queued.at < emitted) late += 1;
    else emitted = queued.at;
    if ("decision" in queued) target.decision(queued.decision);
    else return target.settle(queued.settle.id, queued.settle.cost);
    return undefined;
  };

  // Each log is read a page at a time, and its lines taken one by one from the page: one wait per page, not per line.
  const cursors = logs.map((log) => ({ pages: log.pages()[Symbol.asyncIterator](), page: [] as readonly StoredLine[], at: 0 }));
  const open = new Set(cursors.keys());
  while (open.size > 0) {
    // The log read least far goes next, so logs written side by side are read side by side.
    if (logs.length > 1) current = leastRead(open, reached);
    const cursor = cursors[current] as (typeof cursors)[number];
    const line = cursor.page[cursor.at];
    if (line === undefined) {
      const next = await cursor.pages.next();
      if (next.done === true) open.delete(current);
      else cursor.page = next.value;
      cursor.at = 0;
      continue;
    }
    cursor.at += 1;
    if (verifier !== undefined) verifier.line(line.where, line.text, line.last);
    else notRecords += readPlain(line.text, line.last, take) ? 0 : 1;
    const frontier = logs.length === 1 ? (reached[0] as number) : (reached[leastRead(open, reached)] as number);
    while (heap.items.length > MERGE_RECORDS || (heap.items[0]?.at ?? Number.POSITIVE_INFINITY) <= frontier - MERGE_SLACK_MS) {
      const settling = emit(heap.pop() as Queued);
      if (settling !== undefined) await settling;
    }
  }
  for (let queued = heap.pop(); queued !== undefined; queued = heap.pop()) {
    const settling = emit(queued);
    if (settling !== undefined) await settling;
  }
  return { report: verifier?.finish(), levels, late, notRecords };
}

/** The open log read least far (by the time of its latest record). */
function leastRead(open: ReadonlySet<number>, reached: readonly number[]): number {
  let least = -1;
  for (const index of open) if (least === -1 || (reached[index] as number) < (reached[least] as number)) least = index;
  return least;
}

/** Without verification: a line parsed as it is; false when it is not a record (a torn last line is let go quietly). */
function readPlain(text: string, last: boolean, take: (record: Plain) => void): boolean {
  if (text.trim() === "") return true;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return last;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return false;
  take(parsed as Plain);
  return true;
}
