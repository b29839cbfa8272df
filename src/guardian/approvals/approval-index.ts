// The list of pending approval ids, kept as one text in the store and changed by compare-and-set.
import type { CounterStore } from "../../stores/store.js";

type TextStore = Required<Pick<CounterStore, "getText" | "putText" | "swapText">>;

/** The most pending requests listed; older ones still work, they are only left out of `list`. */
const MAX_LISTED = 1000;
/** How long the index text lives without a change: a week, the longest approval_ttl. */
const INDEX_TTL_MS = 7 * 86_400_000;
/** Tries at a compare-and-set before giving up on an index change (the request itself is kept either way). */
const MAX_TRIES = 20;

/** Ids with the instant each request's time is over. */
type Entries = Record<string, number>;

/**
 * The pending approval ids, so that `list` needs no key scan. Each change reads the text and swaps it for the new
 * one, trying again when another instance changed it in between.
 * @example const index = new ApprovalIndex(store, "hexarch:approvals:pending"); await index.add(id, expiresAt);
 */
export class ApprovalIndex {
  readonly #store: TextStore;
  readonly #key: string;

  constructor(store: TextStore, key: string) {
    this.#store = store;
    this.#key = key;
  }

  async #change(edit: (entries: Entries) => Entries): Promise<void> {
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const text = await this.#store.getText(this.#key);
      const next = edit(parse(text));
      if (await this.#store.swapText(this.#key, text, JSON.stringify(next), INDEX_TTL_MS)) return;
    }
  }

  add(id: string, expiresAt: number): Promise<void> {
    return this.#change((entries) => {
      const kept = Object.entries(entries).filter(([, end]) => end > Date.now());
      return Object.fromEntries([...kept.slice(-(MAX_LISTED - 1)), [id, expiresAt]]);
    });
  }

  remove(id: string): Promise<void> {
    return this.#change((entries) => Object.fromEntries(Object.entries(entries).filter(([listed]) => listed !== id)));
  }

  /** The ids whose time is not over at `now`, in the order they were added. */
  async ids(now: number): Promise<string[]> {
    const entries = parse(await this.#store.getText(this.#key));
    return Object.entries(entries)
      .filter(([, end]) => end > now)
      .map(([id]) => id);
  }
}

function parse(text: string | undefined): Entries {
  if (text === undefined) return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
    return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, number] => typeof entry[1] === "number"));
  } catch {
    return {};
  }
}
