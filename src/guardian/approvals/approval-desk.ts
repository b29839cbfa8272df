// Approval requests in the counter store: ask once per call, decide once (a person), admit once (a compare-and-set).
import type { CounterStore } from "../../stores/store.js";
import type { DecisionApproval } from "../../engine/decision.js";
import type { Notifier } from "../../notify/notifier.js";
import {
  approvalUrl,
  approvalView,
  linkKeyMatches,
  newApprovalId,
  newLinkKey,
  parseApproval,
  statusAt,
  APPROVAL_ID,
  type ApprovalRecord,
  type ApprovalSubject,
} from "./approval-record.js";
import { ApprovalIndex } from "./approval-index.js";

/** A step of an approval request, as the decision log records it. */
export type ApprovalStep = "requested" | "approved" | "denied" | "used" | "expired";

/** Where the desk writes each step (the decision log), if anywhere. */
export type ApprovalRecorder = (step: ApprovalStep, record: ApprovalRecord) => void;

/** What the desk works with. */
export interface ApprovalDeskOptions {
  readonly store: CounterStore;
  /** Prefix of the desk's keys in the store (the guardian's counter prefix). */
  readonly prefix: string;
  readonly clock: () => number;
  /** `approvals.base_url` of the policy file. */
  readonly baseUrl: string | undefined;
  readonly notifier: Notifier | undefined;
  readonly record: ApprovalRecorder | undefined;
}

/** What presenting an approval id for a call gives. */
export type Presented =
  /** Approved for this call, and now taken: the call may go ahead once (give it back with `giveBack` if it does not). */
  | { readonly kind: "admit"; readonly record: ApprovalRecord }
  /** A person denied it. */
  | { readonly kind: "denied"; readonly record: ApprovalRecord }
  /** Still waiting for a person. */
  | { readonly kind: "pending"; readonly record: ApprovalRecord }
  | { readonly kind: "rejected"; readonly rejection: "another-call" | "used" | "expired" };

/** Why a person's decision was not taken. */
export class ApprovalDecisionError extends Error {
  readonly code: "HEXARCH_APPROVAL_UNKNOWN" | "HEXARCH_APPROVAL_DECIDED";
  /** The request as it stands, when there is one. */
  readonly approval: DecisionApproval | undefined;

  constructor(code: ApprovalDecisionError["code"], message: string, approval?: DecisionApproval) {
    super(message);
    this.name = "ApprovalDecisionError";
    this.code = code;
    this.approval = approval;
  }
}

/** How long a request is kept after its time is over, so a late retry hears "expired" rather than nothing: one hour. */
const KEPT_AFTER_EXPIRY_MS = 3_600_000;
/** The longest `by` and `reason` a decision keeps. */
const MAX_NOTE = 500;

/**
 * The approval requests of one guardian. Every state change is a compare-and-set on the request's stored text
 * (`swapText`), so on one Redis exactly one instance wins each: one decision per request, one admission per approval.
 * @example const desk = new ApprovalDesk({ store, prefix: "hexarch:", clock: Date.now, baseUrl, notifier, record });
 */
export class ApprovalDesk {
  readonly #options: ApprovalDeskOptions;
  readonly #store: Required<Pick<CounterStore, "getText" | "putText" | "swapText">>;
  readonly #index: ApprovalIndex;

  constructor(options: ApprovalDeskOptions) {
    const { store } = options;
    if (store.getText === undefined || store.putText === undefined || store.swapText === undefined)
      throw new TypeError(
        `the ${store.name} store cannot keep approval requests (it has no getText/putText/swapText); use the memory or Redis store`,
      );
    this.#options = options;
    this.#store = { getText: store.getText.bind(store), putText: store.putText.bind(store), swapText: store.swapText.bind(store) };
    this.#index = new ApprovalIndex(this.#store, `${options.prefix}approvals:pending`);
  }

  #key(id: string): string {
    return `${this.#options.prefix}approval:${id}`;
  }

  #keptFor(record: ApprovalRecord): number {
    return Math.max(record.expires_at - this.#options.clock(), 0) + KEPT_AFTER_EXPIRY_MS;
  }

  /** The request with this id as stored, or undefined (an unknown or malformed id, or one long past its time). */
  async #read(id: string): Promise<{ record: ApprovalRecord; text: string } | undefined> {
    if (!APPROVAL_ID.test(id)) return undefined;
    const text = await this.#store.getText(this.#key(id));
    const record = parseApproval(text);
    return record === undefined || text === undefined ? undefined : { record, text };
  }

  /** Moves a request from the text read to `next`; false when another step came first. */
  async #move(text: string, next: ApprovalRecord): Promise<boolean> {
    return this.#store.swapText(this.#key(next.id), text, JSON.stringify(next), this.#keptFor(next));
  }

  /** The request, marked expired (once, recorded) when its time is over. */
  async #current(id: string): Promise<{ record: ApprovalRecord; text: string } | undefined> {
    const read = await this.#read(id);
    if (read === undefined) return undefined;
    const { record, text } = read;
    if (statusAt(record, this.#options.clock()) !== "expired" || record.status === "expired") return read;
    const expired: ApprovalRecord = { ...record, status: "expired" };
    if (await this.#move(text, expired)) {
      this.#options.record?.("expired", expired);
      return { record: expired, text: JSON.stringify(expired) };
    }
    return this.#current(id);
  }

  /** The request with this id, or undefined. */
  async get(id: string): Promise<ApprovalRecord | undefined> {
    return (await this.#current(id))?.record;
  }

  /** The view of a request for the caller: its page without a link key (the caller must never approve itself). */
  view(record: ApprovalRecord, rejected?: DecisionApproval["rejected"]): DecisionApproval {
    const view = approvalView(record, this.#options.clock(), approvalUrl(this.#options.baseUrl, record.id));
    return rejected === undefined ? view : { ...view, rejected };
  }

  /**
   * The request for this call: the one already asked (pending, approved or denied, within its time), or a new one,
   * recorded and sent to the `notify:` targets with the link that lets a person decide.
   */
  async request(policy: string, binding: string, subject: ApprovalSubject, ttlMs: number): Promise<ApprovalRecord> {
    const bindKey = `${this.#options.prefix}approval-for:${policy}:${binding}`;
    const existing = await this.#store.getText(bindKey);
    if (existing !== undefined) {
      const found = await this.#current(existing);
      if (found !== undefined && ["pending", "approved", "denied"].includes(found.record.status)) return found.record;
    }
    const now = this.#options.clock();
    const link = newLinkKey();
    const record: ApprovalRecord = {
      id: newApprovalId(),
      status: "pending",
      policy,
      binding,
      link: link.digest,
      subject,
      created_at: now,
      expires_at: now + ttlMs,
    };
    // One request per call: of two instances asking at once, the one whose index entry lands first is kept.
    if (!(await this.#store.swapText(bindKey, existing, record.id, ttlMs + KEPT_AFTER_EXPIRY_MS))) {
      const winner = await this.#store.getText(bindKey);
      const found = winner === undefined ? undefined : await this.get(winner);
      if (found !== undefined) return found;
    }
    await this.#store.putText(this.#key(record.id), JSON.stringify(record), this.#keptFor(record));
    await this.#index.add(record.id, record.expires_at);
    this.#options.record?.("requested", record);
    const url = approvalUrl(this.#options.baseUrl, record.id, link.key);
    this.#options.notifier?.send({
      type: "approval.requested",
      approval: approvalView(record, now, url),
      policy,
      subject,
      ...(url === undefined ? {} : { url }),
    });
    return record;
  }

  /**
   * Presents an approval id for a call bound to `binding`: an approved request for this very call is taken (approved
   * → used, once across every instance), anything else says why it admits nothing.
   */
  async present(id: string, binding: string): Promise<Presented> {
    const found = await this.#current(id);
    if (found === undefined || found.record.binding !== binding) return { kind: "rejected", rejection: "another-call" };
    const { record, text } = found;
    switch (record.status) {
      case "pending":
        return { kind: "pending", record };
      case "denied":
        return { kind: "denied", record };
      case "used":
        return { kind: "rejected", rejection: "used" };
      case "expired":
        return { kind: "rejected", rejection: "expired" };
    }
    const used: ApprovalRecord = { ...record, status: "used" };
    return (await this.#move(text, used)) ? { kind: "admit", record: used } : { kind: "rejected", rejection: "used" };
  }

  /** Records that an admitted call went ahead. */
  used(record: ApprovalRecord): void {
    this.#options.record?.("used", record);
  }

  /** Gives an approval back after the call it admitted was refused by another policy: the next retry may use it. */
  async giveBack(record: ApprovalRecord): Promise<void> {
    await this.#move(JSON.stringify(record), { ...record, status: "approved" });
  }

  /** A person approves a pending request. Throws ApprovalDecisionError for an unknown or already decided one. */
  approve(id: string, by: string): Promise<ApprovalRecord> {
    return this.#decide(id, "approved", by, undefined);
  }

  /** A person denies a pending request, saying why. Throws ApprovalDecisionError for an unknown or already decided one. */
  deny(id: string, by: string, reason: string): Promise<ApprovalRecord> {
    return this.#decide(id, "denied", by, reason);
  }

  /**
   * True when `key` is the link key of this request and it is still pending: the notification's link decides once, and
   * opens nothing after (nor after the request's time is over).
   */
  async linkOpens(id: string, key: string): Promise<boolean> {
    const record = await this.get(id);
    return record?.status === "pending" && linkKeyMatches(record, key);
  }

  async #decide(id: string, status: "approved" | "denied", by: string, reason: string | undefined): Promise<ApprovalRecord> {
    const found = await this.#current(id);
    if (found === undefined)
      throw new ApprovalDecisionError("HEXARCH_APPROVAL_UNKNOWN", `no approval request ${JSON.stringify(id.slice(0, 40))}`);
    const { record, text } = found;
    if (record.status !== "pending")
      throw new ApprovalDecisionError(
        "HEXARCH_APPROVAL_DECIDED",
        `approval request ${id} is ${record.status}${record.decided_by === undefined ? "" : ` (by ${record.decided_by})`}; only a pending request can be decided`,
        this.view(record),
      );
    const decided: ApprovalRecord = {
      ...record,
      status,
      decided_by: note(by),
      decided_at: this.#options.clock(),
      ...(reason === undefined ? {} : { reason: note(reason) }),
    };
    if (!(await this.#move(text, decided))) return this.#decide(id, status, by, reason);
    await this.#index.remove(id);
    this.#options.record?.(status, decided);
    return decided;
  }

  /** Every pending request within its time, oldest first. */
  async list(): Promise<ApprovalRecord[]> {
    const records: ApprovalRecord[] = [];
    for (const id of await this.#index.ids(this.#options.clock())) {
      const record = await this.get(id);
      if (record?.status === "pending") records.push(record);
      else await this.#index.remove(id);
    }
    return records.sort((a, b) => a.created_at - b.created_at);
  }
}

/** A name or reason as kept: one line, at most MAX_NOTE characters. */
function note(text: string): string {
  let line = "";
  for (const char of text) line += char < " " || char === "\u007f" ? " " : char;
  return line.trim().slice(0, MAX_NOTE);
}
