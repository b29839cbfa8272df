// What `hexarch replay` reads from its flags and says besides its counts: instants, and notes on what the log could not answer.
import type { PolicySet } from "../../engine/compile/policy-set.js";
import type { ReplayResult } from "../../log/replay.js";
import type { ReplayReading } from "../../log/replay-read.js";
import { UsageError } from "../exit-codes.js";
import { counted } from "../wording.js";

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;
const AGO = /^(\d{1,7})([smhd])$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * An instant given as ISO 8601 (a date alone is its midnight UTC; a time needs its zone, `Z` or `+01:00`) or as a span
 * before now (`7d`, `12h`, `30m`, `45s`). Anything else is a usage error naming the spellings.
 * @example replayInstant("2026-11-24", "--since") // 1795478400000
 */
export function replayInstant(text: string | undefined, flag: string, now: number = Date.now()): number | undefined {
  if (text === undefined) return undefined;
  const ago = AGO.exec(text);
  if (ago !== null) return now - Number(ago[1]) * UNIT_MS[ago[2] as keyof typeof UNIT_MS];
  const at = ISO_INSTANT.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) {
    const shown = text.length > 60 ? `${text.slice(0, 60)}…` : text;
    throw new UsageError(
      `${flag} needs an ISO 8601 instant with its zone (2026-11-24, 2026-11-24T08:00:00Z) or a span ago (7d, 12h); got "${shown}"`,
    );
  }
  return at;
}

/** `one` or `many` to agree with `count`. */
const agree = (count: number, one: string, many: string): string => (count === 1 ? one : many);

/** What the replay could not answer, or did in a way worth knowing, in sentences (none when everything replayed plainly). */
export function replayNotes(result: ReplayResult, reading: ReplayReading, candidate: PolicySet, unverified: boolean): string[] {
  const { skipped } = result;
  const notes: string[] = [];
  if (unverified) notes.push("the log was not verified (--no-verify): its records were taken as they are");
  if (reading.notRecords > 0) notes.push(`${counted(reading.notRecords, "line")} that are not log records were passed over`);
  if (reading.levels.has("unknown"))
    notes.push("a chain's header does not say its level (written before it did): if it was written at warn, allowed calls are missing");
  if (result.unasked > 0)
    notes.push(
      `${counted(result.unasked, "record")} ${agree(result.unasked, "does", "do")} not say how they were asked (written before records did): replayed as every policy, as the middleware asks`,
    );
  if (skipped.removed > 0)
    notes.push(`${counted(skipped.removed, "decision")} asked of, or made by, policies the candidate removes: counted apart, not compared`);
  if (skipped.redacted > 0)
    notes.push(
      `${counted(skipped.redacted, "record")} ${agree(skipped.redacted, "hashes", "hash")} a field the candidate compares as it is (allowed_users, route scopes; logging.redact): not decided`,
    );
  if (skipped.failures > 0) notes.push(`${counted(skipped.failures, "record")} of store or log failures (outcome error): not decided`);
  if (skipped.charges > 0) notes.push(`${counted(skipped.charges, "charge")} for provider calls already made: not decided`);
  if (skipped.unreadable > 0) notes.push(`${counted(skipped.unreadable, "record")} with fields of the wrong type: not decided`);
  const lost = (reading.report?.chains ?? []).reduce((sum, chain) => sum + chain.gaps.reduce((n, gap) => n + gap.lost, 0), 0);
  if (lost > 0)
    notes.push(
      `${counted(lost, "record")} were lost while the log could not be written (gap records): counters after them may start short`,
    );
  if (reading.late > 0) notes.push(`${counted(reading.late, "record")} came long after later ones (a writer's outage?): replayed late`);
  if (candidate.customKeys.size > 0)
    notes.push(
      `the candidate counts by custom keys (${[...candidate.customKeys.keys()].join(", ")}): values the calls stated replay as they were; ` +
        "values an app's key function gave are not recorded, so those counters fall back to the client",
    );
  return notes;
}
