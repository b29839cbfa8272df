// Checks chains line by line: every MAC, every sequence number, every checkpoint; names the first break of each chain.
import { canonicalJson, type JsonValue } from "./canonical.js";
import { checkpointBody, type Checkpoint } from "./chain.js";
import { logMac, type LogMac } from "./mac.js";
import type { StoredLog } from "./read.js";

/** A field of a record as text: a string as it is, anything else (a tampered field) as JSON. */
function asText(value: unknown): string {
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
  /** `edited`, `deleted`, `inserted`, `reordered`, `truncated`, `wrong key`, `forged checkpoint`, `not a record`. */
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
  /** Things worth knowing that break nothing. */
  readonly notes: readonly string[];
}

interface ParsedRecord {
  readonly chain: string;
  readonly seq: number;
  readonly mac: string;
  readonly type: string;
  readonly [key: string]: JsonValue | undefined;
}

interface ChainState {
  readonly id: string;
  instance: string | undefined;
  mac: LogMac;
  head: string | undefined;
  expected: number;
  records: number;
  continued: boolean;
  gaps: { where: string; lost: number; from: string; to: string }[];
  broken: boolean;
  /** A record whose MAC failed: edited, unless the next record repeats its seq and fits (then it was inserted). */
  suspect: { where: string; seq: number } | undefined;
  /** A sequence number jumped over: deleted, unless it turns up later (then the records were reordered). */
  skipped: { where: string; missing: number; found: number } | undefined;
}

function isRecord(value: unknown): value is ParsedRecord {
  if (value === null || typeof value !== "object") return false;
  const r = value as Record<string, unknown>;
  return typeof r["chain"] === "string" && Number.isInteger(r["seq"]) && typeof r["mac"] === "string" && typeof r["type"] === "string";
}

function macOf(mac: LogMac, previous: string, record: ParsedRecord): string {
  const { mac: _written, ...unsealed } = record;
  return mac.chain(previous, canonicalJson(unsealed));
}

/**
 * Verifies log lines fed in order (files oldest first, or table rows by id). Give `key` when the log was written
 * with HEXARCH_LOG_KEY, and the checkpoints kept beside the log.
 * @example const v = new LogVerifier(key, checkpoints); for (const [where, text] of lines) v.line(where, text); v.finish();
 */
export class LogVerifier {
  readonly #key: string | undefined;
  readonly #keyed: LogMac;
  readonly #plain: LogMac = logMac(undefined);
  readonly #chains = new Map<string, ChainState>();
  readonly #problems: VerifyProblem[] = [];
  readonly #torn: string[] = [];
  /** Per chain: checkpoint seq → the head MAC it signed. */
  readonly #checkpoints = new Map<string, Map<number, string>>();
  /** Called with each record as its chain check accepts it, in order: one pass both verifies and reads (`hexarch replay`). */
  onRecord: ((record: Readonly<Record<string, unknown>>, where: string) => void) | undefined = undefined;

  constructor(key: string | undefined, checkpoints: readonly { where: string; text: string }[]) {
    this.#key = key === "" ? undefined : key;
    this.#keyed = logMac(this.#key);
    for (const { where, text } of checkpoints) this.#checkpoint(where, text);
  }

  #problem(where: string, chain: string | undefined, seq: number | undefined, what: string, detail: string): void {
    this.#problems.push({ where, chain, seq, what, detail });
    const state = chain === undefined ? undefined : this.#chains.get(chain);
    if (state !== undefined) state.broken = true;
  }

  #checkpoint(where: string, text: string): void {
    let parsed: Checkpoint;
    try {
      parsed = JSON.parse(text) as Checkpoint;
    } catch {
      this.#problem(where, undefined, undefined, "forged checkpoint", "the checkpoint line is not valid JSON");
      return;
    }
    const signedBy = [this.#keyed, this.#plain].find((mac) => mac.sign(canonicalJson(checkpointBody(parsed))) === parsed.sig);
    if (signedBy === undefined || (this.#key !== undefined && signedBy === this.#plain)) {
      this.#problem(
        where,
        parsed.chain,
        parsed.seq,
        "forged checkpoint",
        "its signature does not match (edited, forged, or made with another key)",
      );
      return;
    }
    let forChain = this.#checkpoints.get(parsed.chain);
    if (forChain === undefined) this.#checkpoints.set(parsed.chain, (forChain = new Map<number, string>()));
    forChain.set(parsed.seq, parsed.mac);
  }

  /** Checks one line. `last` marks the final line of a file that does not end in a newline (a torn write). */
  line(where: string, text: string, last = false): void {
    if (text.trim() === "") return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!isRecord(parsed)) {
      if (last) this.#torn.push(where);
      else this.#problem(where, undefined, undefined, "edited", "the line is not a log record (not JSON, or chain/seq/mac missing)");
      return;
    }
    const state = this.#chains.get(parsed.chain) ?? this.#start(where, parsed);
    if (state === undefined) return;
    this.#follow(state, where, parsed);
  }

  #start(where: string, record: ParsedRecord): ChainState | undefined {
    const state: ChainState = {
      id: record.chain,
      instance: typeof record["instance"] === "string" ? record["instance"] : undefined,
      mac: this.#keyed,
      head: undefined,
      expected: record.seq,
      records: 0,
      continued: false,
      gaps: [],
      broken: false,
      suspect: undefined,
      skipped: undefined,
    };
    this.#chains.set(record.chain, state);
    if (record.type === "header" && record.seq === 0) {
      const written = record["mac_alg"];
      if (written === "sha256") state.mac = this.#plain;
      else if (this.#key === undefined) {
        this.#problem(where, record.chain, 0, "wrong key", "the chain was written with HEXARCH_LOG_KEY (hmac-sha256); set it to verify");
      } else if (record["key_id"] !== this.#keyed.keyId) {
        this.#problem(
          where,
          record.chain,
          0,
          "wrong key",
          `the chain was written with another key (key id ${asText(record["key_id"])}, given ${this.#keyed.keyId ?? "none"})`,
        );
      }
      state.head = "";
    } else if (record.type === "continue" && typeof record["prev"] === "string") {
      state.head = record["prev"];
      state.continued = true;
    } else {
      this.#problem(
        where,
        record.chain,
        record.seq,
        "deleted",
        `the chain starts at seq ${record.seq} without its header: records before it were removed`,
      );
    }
    return state;
  }

  #follow(state: ChainState, where: string, record: ParsedRecord): void {
    if (state.skipped !== undefined) {
      if (record.seq === state.skipped.missing) {
        this.#problem(
          state.skipped.where,
          state.id,
          state.skipped.found,
          "reordered",
          `seq ${state.skipped.found} comes before seq ${state.skipped.missing} (found at ${where})`,
        );
        state.skipped = undefined;
      }
      return;
    }
    if (state.suspect !== undefined) {
      const inserted = record.seq === state.suspect.seq && state.head !== undefined && macOf(state.mac, state.head, record) === record.mac;
      this.#problem(
        state.suspect.where,
        state.id,
        state.suspect.seq,
        inserted ? "inserted" : "edited",
        inserted ? "a forged record was inserted before the real one with the same seq" : "the record's content does not match its MAC",
      );
      state.suspect = undefined;
      return;
    }
    if (state.broken || state.head === undefined) return;
    if (record.seq < state.expected) {
      this.#problem(where, state.id, record.seq, "inserted", `seq ${record.seq} appears again after seq ${state.expected - 1}`);
      return;
    }
    if (record.seq > state.expected) {
      state.skipped = { where, missing: state.expected, found: record.seq };
      return;
    }
    if (macOf(state.mac, state.head, record) !== record.mac) {
      state.suspect = { where, seq: record.seq };
      return;
    }
    const signed = this.#checkpoints.get(state.id)?.get(record.seq);
    if (signed !== undefined && signed !== record.mac) {
      this.#problem(where, state.id, record.seq, "edited", "the record differs from the one its checkpoint signed");
      return;
    }
    if (record.type === "gap")
      state.gaps.push({ where, lost: Number(record["lost"]), from: asText(record["from"]), to: asText(record["to"]) });
    state.head = record.mac;
    state.expected += 1;
    state.records += 1;
    this.onRecord?.(record, where);
  }

  /** Settles what only the end can tell (deletions at the end, forged last records, truncation after a checkpoint) and reports. */
  finish(): VerifyReport {
    for (const state of this.#chains.values()) {
      if (state.suspect !== undefined)
        this.#problem(state.suspect.where, state.id, state.suspect.seq, "edited", "the record's content does not match its MAC");
      if (state.skipped !== undefined) {
        const { where, missing, found } = state.skipped;
        this.#problem(
          where,
          state.id,
          found,
          "deleted",
          `seq ${missing}${found - 1 > missing ? `–${found - 1}` : ""} missing before seq ${found}`,
        );
      }
      state.suspect = undefined;
      state.skipped = undefined;
      const last = state.expected - 1;
      const signed = [...(this.#checkpoints.get(state.id)?.keys() ?? [])];
      const highest = Math.max(-1, ...signed);
      if (!state.broken && highest > last) {
        this.#problem(
          `chain ${state.id}`,
          state.id,
          last,
          "truncated",
          `the chain ends at seq ${last}, but checkpoint ${signed.length} signed seq ${highest}: records after seq ${last} were cut off`,
        );
      }
    }
    const rotated = [...this.#chains.values()].some((s) => s.continued);
    const notes: string[] = [];
    for (const chain of this.#checkpoints.keys()) {
      if (this.#chains.has(chain)) continue;
      if (rotated) notes.push(`chain ${chain} has checkpoints but no records here: its files were rotated away or not given`);
      else
        this.#problem(
          `chain ${chain}`,
          chain,
          undefined,
          "deleted",
          "a checkpoint names this chain, but none of its records are in the log",
        );
    }
    const chains = [...this.#chains.values()].map((s) => ({
      chain: s.id,
      instance: s.instance,
      records: s.records,
      lastSeq: s.expected - 1,
      checkpoints: this.#checkpoints.get(s.id)?.size ?? 0,
      gaps: s.gaps,
      continued: s.continued,
      broken: s.broken,
    }));
    const wrongKey = new Set(this.#problems.filter((p) => p.what === "wrong key").map((p) => p.chain));
    const problems = this.#problems.filter((p) => p.what !== "forged checkpoint" || !wrongKey.has(p.chain));
    return { ok: problems.length === 0, chains, problems, tornTails: this.#torn, notes };
  }
}

/**
 * Verifies every chain of a stored log (files or table) with `key` (HEXARCH_LOG_KEY, if the log was written with one).
 * @example const report = await verifyStoredLog(logFiles([".hexarch/guardrails.log"]), process.env["HEXARCH_LOG_KEY"]);
 */
export async function verifyStoredLog(log: StoredLog, key: string | undefined): Promise<VerifyReport> {
  const verifier = new LogVerifier(key, await log.checkpoints());
  for await (const line of log.lines()) verifier.line(line.where, line.text, line.last);
  return verifier.finish();
}
