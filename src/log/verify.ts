// Checks chains line by line: every MAC, every sequence number, every checkpoint; names the first break of each chain.
import { canonicalJson } from "./canonical.js";
import { checkpointBody, type Checkpoint } from "./chain.js";
import { logMac, type LogMac } from "./mac.js";
import type { StoredLog } from "./read.js";
import { asText, parsedRecord, sealedAfter, tornPieces, type ParsedRecord, type VerifyProblem, type VerifyReport } from "./verify-lines.js";

export type { ChainSummary, VerifyProblem, VerifyReport } from "./verify-lines.js";

/**
 * Sequence numbers jumped over: deleted, unless the first missing one turns up later (then reordered). Meanwhile the
 * chain is followed on from the record found, so that every later gap is named too.
 */
interface Skip {
  readonly where: string;
  readonly missing: number;
  readonly found: number;
  /** The MAC and next seq of the run followed since the jump. */
  head: string;
  next: number;
  /** Later jumps in that run. */
  readonly later: { where: string; missing: number; found: number }[];
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
  skipped: Skip | undefined;
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
  readonly #tornWrites: string[] = [];
  /** Per chain: checkpoint seq → the head MAC it signed (the log's own checkpoints and the witness's heads alike). */
  readonly #checkpoints = new Map<string, Map<number, string>>();
  /** Per chain: the time of its latest signed head. */
  readonly #signedAt = new Map<string, string>();
  /** Per chain: the seq of the head the witness holds; undefined when no witness was given. */
  readonly #witnessed: Map<string, number> | undefined;
  /** The earliest `time` (or header `started`) of any record read. */
  #earliest: string | undefined;
  /** Called with each record as its chain check accepts it, in order: one pass both verifies and reads (`hexarch replay`). */
  onRecord: ((record: Readonly<Record<string, unknown>>, where: string) => void) | undefined = undefined;

  /** `witness`: the heads a witness holds for this log (`hexarch log verify --witness`), checked like checkpoints. */
  constructor(
    key: string | undefined,
    checkpoints: readonly { where: string; text: string }[],
    witness?: readonly { where: string; text: string }[],
  ) {
    this.#key = key === "" ? undefined : key;
    this.#keyed = logMac(this.#key);
    for (const { where, text } of checkpoints) this.#checkpoint(where, text);
    if (witness === undefined) return;
    this.#witnessed = new Map();
    for (const { where, text } of witness) {
      const head = this.#checkpoint(where, text);
      if (head !== undefined && head.seq > (this.#witnessed.get(head.chain) ?? -1)) this.#witnessed.set(head.chain, head.seq);
    }
  }

  #problem(where: string, chain: string | undefined, seq: number | undefined, what: string, detail: string): void {
    this.#problems.push({ where, chain, seq, what, detail });
    const state = chain === undefined ? undefined : this.#chains.get(chain);
    if (state !== undefined) state.broken = true;
  }

  /** Takes in one signed head; returns it when its signature holds. */
  #checkpoint(where: string, text: string): Checkpoint | undefined {
    let parsed: Checkpoint;
    try {
      parsed = JSON.parse(text) as Checkpoint;
    } catch {
      this.#problem(where, undefined, undefined, "forged checkpoint", "the checkpoint line is not valid JSON");
      return undefined;
    }
    if (parsed === null || typeof parsed !== "object" || typeof parsed.chain !== "string" || !Number.isInteger(parsed.seq)) {
      this.#problem(where, undefined, undefined, "forged checkpoint", "the line is not a signed head (chain, seq, mac, time, sig)");
      return undefined;
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
      return undefined;
    }
    let forChain = this.#checkpoints.get(parsed.chain);
    if (forChain === undefined) this.#checkpoints.set(parsed.chain, (forChain = new Map<number, string>()));
    forChain.set(parsed.seq, parsed.mac);
    const time = String(parsed.time);
    if (time > (this.#signedAt.get(parsed.chain) ?? "")) this.#signedAt.set(parsed.chain, time);
    return parsed;
  }

  /** Names a file missing from a rotated set: whatever it held is gone, including any chain written only there. */
  missingFile(path: string): void {
    this.#problem(path, undefined, undefined, "missing file", "a rotated file older than it and one newer exist: it was removed by hand");
  }

  /** Checks one line. `last` marks the final line of a file that does not end in a newline (a torn write). */
  line(where: string, text: string, last = false): void {
    if (text.trim() === "") return;
    const parsed = parsedRecord(text);
    if (parsed !== undefined) {
      this.#record(where, parsed, text);
      return;
    }
    if (last) {
      this.#torn.push(where);
      return;
    }
    const pieces = tornPieces(text);
    if (pieces === undefined) {
      this.#problem(where, undefined, undefined, "edited", "the line is not a log record (not JSON, or chain/seq/mac missing)");
      return;
    }
    // A write that failed half-way, with whatever another writer appended right after it: its records are read on.
    this.#tornWrites.push(where);
    for (const piece of pieces) {
      const record = parsedRecord(piece);
      if (record !== undefined) this.#record(where, record, piece);
    }
  }

  /** One record, parsed from `text` (its line, or a piece of a torn one). */
  #record(where: string, record: ParsedRecord, text: string): void {
    const time = record["time"] ?? record["started"];
    if (typeof time === "string" && (this.#earliest === undefined || time < this.#earliest)) this.#earliest = time;
    const state = this.#chains.get(record.chain) ?? this.#start(where, record, text);
    if (state === undefined) return;
    this.#follow(state, where, record, text);
  }

  #start(where: string, record: ParsedRecord, text: string): ChainState | undefined {
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
      if (written === "sha256" && this.#key !== undefined) this.#unkeyed(where, record);
      else if (written === "sha256") state.mac = this.#plain;
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
      // A continued chain names no algorithm: a keyed verify tells a plain one by its first MAC.
      if (this.#key !== undefined && sealedAfter(this.#plain, record["prev"], record, text)) this.#unkeyed(where, record);
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

  /** A chain MACed with plain SHA-256 met by a keyed verify: anyone could have written it, so none of it is accepted. */
  #unkeyed(where: string, record: ParsedRecord): void {
    this.#problem(
      where,
      record.chain,
      record.seq,
      "unkeyed",
      `chain ${record.chain} is MACed with plain SHA-256, which anyone can compute, not with HEXARCH_LOG_KEY: anyone could have written it`,
    );
  }

  #follow(state: ChainState, where: string, record: ParsedRecord, text: string): void {
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
      } else this.#followSkipped(state, state.skipped, where, record, text);
      return;
    }
    if (state.suspect !== undefined) {
      const inserted = record.seq === state.suspect.seq && state.head !== undefined && sealedAfter(state.mac, state.head, record, text);
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
      state.skipped = { where, missing: state.expected, found: record.seq, head: record.mac, next: record.seq + 1, later: [] };
      return;
    }
    if (!sealedAfter(state.mac, state.head, record, text)) {
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

  /** What a witness missed: chains it holds no head for, and chains whose checkpoints here go past its head. */
  #witnessNotes(): string[] {
    const notes: string[] = [];
    for (const state of this.#chains.values()) {
      const witnessed = this.#witnessed?.get(state.id);
      const checkpointed = Math.max(-1, ...(this.#checkpoints.get(state.id)?.keys() ?? []));
      if (witnessed === undefined)
        notes.push(`chain ${state.id}: the witness holds no head for it, so none of its records are witnessed (the witness was down?)`);
      else if (witnessed < state.expected - 1)
        notes.push(
          `chain ${state.id}: the witness's latest head is seq ${witnessed}${checkpointed > witnessed ? `, the log's checkpoints reach seq ${checkpointed} (heads did not reach the witness)` : ""}: records after seq ${witnessed} are not witnessed`,
        );
    }
    return notes;
  }

  /** Follows the run after a jump: links are checked, and each further jump in sequence numbers is kept to be named. */
  #followSkipped(state: ChainState, skip: Skip, where: string, record: ParsedRecord, text: string): void {
    if (record.seq === skip.next && sealedAfter(state.mac, skip.head, record, text)) {
      skip.head = record.mac;
      skip.next += 1;
    } else if (record.seq > skip.next) {
      skip.later.push({ where, missing: skip.next, found: record.seq });
      skip.head = record.mac;
      skip.next = record.seq + 1;
    }
  }

  /** Settles what only the end can tell (deletions at the end, forged last records, truncation after a checkpoint) and reports. */
  finish(): VerifyReport {
    for (const state of this.#chains.values()) {
      if (state.suspect !== undefined)
        this.#problem(state.suspect.where, state.id, state.suspect.seq, "edited", "the record's content does not match its MAC");
      for (const { where, missing, found } of state.skipped === undefined ? [] : [state.skipped, ...state.skipped.later]) {
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
      const witnessed = this.#witnessed?.get(state.id);
      if (!state.broken && highest > last) {
        const by = witnessed === highest ? "the witness holds its head at" : `checkpoint ${signed.length} signed`;
        this.#problem(
          `chain ${state.id}`,
          state.id,
          last,
          "truncated",
          `the chain ends at seq ${last}, but ${by} seq ${highest}: records after seq ${last} were cut off`,
        );
      }
    }
    const notes = this.#witnessed === undefined ? [] : this.#witnessNotes();
    const rotated = [...this.#chains.values()].some((s) => s.continued);
    for (const chain of this.#checkpoints.keys()) {
      if (this.#chains.has(chain)) continue;
      // Rotation removes the oldest files only: a chain signed for after the oldest record still here was removed by hand.
      const signedAt = this.#signedAt.get(chain) ?? "";
      if (rotated && this.#earliest !== undefined && signedAt < this.#earliest)
        notes.push(
          `chain ${chain} has signed heads (the last at ${signedAt}) but no records here: its files were rotated away or not given`,
        );
      else {
        const by = this.#witnessed?.has(chain) === true ? "the witness holds a head of this chain" : "a checkpoint names this chain";
        this.#problem(`chain ${chain}`, chain, undefined, "deleted", `${by}, but none of its records are in the log`);
      }
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
    const wrongKey = new Set(this.#problems.filter((p) => p.what === "wrong key" || p.what === "unkeyed").map((p) => p.chain));
    const problems = this.#problems.filter((p) => p.what !== "forged checkpoint" || !wrongKey.has(p.chain));
    return { ok: problems.length === 0, chains, problems, tornTails: this.#torn, tornWrites: this.#tornWrites, notes };
  }
}

/**
 * Verifies every chain of a stored log (files or table) with `key` (HEXARCH_LOG_KEY, if the log was written with one),
 * and against the heads a witness holds for it when `witness` is given.
 * @example const report = await verifyStoredLog(logFiles([".hexarch/guardrails.log"]), process.env["HEXARCH_LOG_KEY"]);
 */
export async function verifyStoredLog(
  log: StoredLog,
  key: string | undefined,
  witness?: readonly { where: string; text: string }[],
): Promise<VerifyReport> {
  const verifier = new LogVerifier(key, await log.checkpoints(), witness);
  for (const path of log.missing) verifier.missingFile(path);
  for await (const page of log.pages()) for (const line of page) verifier.line(line.where, line.text, line.last);
  return verifier.finish();
}
