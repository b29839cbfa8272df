// What verify reads and reports: the report's shape, and record lines, whole or torn by a failed write.
import { canonicalJson, type JsonValue } from "./canonical.js";
import type { LogMac } from "./mac.js";

/** A field of a record as text: a string as it is, anything else (a tampered field) as JSON. */
export function asText(value: unknown): string {
  if (typeof value === "string") return value;
  const json: string | undefined = JSON.stringify(value);
  return json ?? "undefined";
}

/** A break in a chain, or a line that is not a record. */
export interface VerifyProblem {
  /** `file:line` or `table row id`. */
  readonly where: string;
  readonly chain: string | undefined;
  readonly seq: number | undefined;
  /** `edited`, `deleted`, `inserted`, `reordered`, `truncated`, `wrong key`, `unkeyed`, `forged checkpoint`, `missing file`. */
  readonly what: string;
  readonly detail: string;
}

/** What one intact (or broken) chain holds. */
export interface ChainSummary {
  readonly chain: string;
  readonly instance: string | undefined;
  readonly records: number;
  readonly lastSeq: number;
  readonly checkpoints: number;
  /** Records lost while the log could not be written, as its gap records state them. */
  readonly gaps: readonly { readonly where: string; readonly lost: number; readonly from: string; readonly to: string }[];
  /** True when the chain begins with a `continue` record (its earlier files were not given). */
  readonly continued: boolean;
  readonly broken: boolean;
}

/** The result of verifying a log. */
export interface VerifyReport {
  readonly ok: boolean;
  readonly chains: readonly ChainSummary[];
  readonly problems: readonly VerifyProblem[];
  /** Records cut short by a crash mid-write: not tampering. */
  readonly tornTails: readonly string[];
  /**
   * Lines inside a file holding a record cut short by a failed write (a full disk), then perhaps whole records another
   * writer appended right after it, which are checked as any others. What the torn record held was written again or
   * is counted lost (a gap record, or a break in its chain): neither is hidden by the tear.
   */
  readonly tornWrites: readonly string[];
  /** Things worth knowing that break nothing. */
  readonly notes: readonly string[];
}

export interface ParsedRecord {
  readonly chain: string;
  readonly seq: number;
  readonly mac: string;
  readonly type: string;
  readonly [key: string]: JsonValue | undefined;
}

export function isRecord(value: unknown): value is ParsedRecord {
  if (value === null || typeof value !== "object") return false;
  const r = value as Record<string, unknown>;
  return typeof r["chain"] === "string" && Number.isInteger(r["seq"]) && typeof r["mac"] === "string" && typeof r["type"] === "string";
}

/** The record a line holds, or undefined when it is not one. */
export function parsedRecord(text: string): ParsedRecord | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  return isRecord(parsed) ? parsed : undefined;
}

/**
 * Whether `record`, parsed from `text`, carries the MAC of its chain after `previous`. A sealed line is the canonical
 * text its MAC covers with `,"mac":"…",` put in (sealRecord), so that text is first taken from the line's own bytes:
 * no record rebuilt, no canonical JSON written again (about a third of verify's CPU before, bench/README.md). The
 * member can only come out of the top level: put in a string or a nested object, the rest would not parse as a record
 * with that MAC. Any other line (keys out of order, spaces, another escaping) is checked the slow way, on the
 * canonical JSON of the parsed record, which decides as verify always has.
 * @example sealedAfter(mac, previousMac, JSON.parse(line), line)
 */
export function sealedAfter(mac: LogMac, previous: string, record: ParsedRecord, text: string): boolean {
  const member = `,"mac":"${record.mac}",`;
  const at = text.indexOf(member);
  if (at > 0 && mac.chain(previous, text.slice(0, at + 1) + text.slice(at + member.length)) === record.mac) return true;
  const { mac: _written, ...unsealed } = record;
  return mac.chain(previous, canonicalJson(unsealed)) === record.mac;
}

/** How every sealed line begins ("chain" sorts first; inside a line JSON escapes the quotes, so it marks a record's start). */
const RECORD_START = '{"chain":"';

/**
 * The pieces of a line a failed write tore: it starts as a record does (or with part of that start), and each later
 * record start begins a piece. Undefined for a line that was never written as records.
 */
export function tornPieces(text: string): string[] | undefined {
  const first = text.indexOf(RECORD_START);
  const pieces = first > 0 ? [text.slice(0, first)] : [];
  const torn = first === 0 || RECORD_START.startsWith(first === -1 ? text : text.slice(0, first));
  if (!torn) return undefined;
  let start = first;
  if (start === -1) return pieces.length > 0 ? pieces : [text];
  for (let next = text.indexOf(RECORD_START, start + 1); next !== -1; next = text.indexOf(RECORD_START, next + 1)) {
    pieces.push(text.slice(start, next));
    start = next;
  }
  pieces.push(text.slice(start));
  return pieces;
}
