// The file's `prices:` compiled once: exact names in a Map, globs precompiled and ordered most specific first.
import { toMicros } from "../amount.js";
import type { PriceSpec } from "../config/schema.js";
import { modelName, oddity } from "./model-name.js";
import { compileModelPattern, type ModelPattern } from "./model-pattern.js";
import { microPrice, type TokenPrices } from "./token-cost.js";

/** One entry of `prices:`, compiled: the pattern that names it, and its prices in millionths per million tokens. */
export interface PriceEntry {
  /** The key under `prices:`, e.g. `gpt-4o` or `claude-3-5-haiku*`. */
  readonly pattern: string;
  readonly spec: PriceSpec;
  readonly prices: TokenPrices;
}

interface Glob {
  readonly matcher: ModelPattern;
  readonly entry: PriceEntry;
}

const NO_GLOBS: readonly Glob[] = Object.freeze([]);

/** Most model names whose lookup is remembered; past that, lookups scan the globs again (memory stays bounded). */
const REMEMBERED_MODELS = 1_024;

/** Globs of one form, most specific first, filed by the first character of their prefix: a lookup scans one list. */
class GlobIndex {
  /** Globs with a literal prefix, by its first character. */
  readonly #byFirst = new Map<string, Glob[]>();
  /** Globs starting with `*`, least specific of all, scanned last. */
  readonly #open: Glob[] = [];

  constructor(globs: readonly Glob[]) {
    for (const glob of globs) {
      const first = glob.matcher.prefix[0];
      if (first === undefined) this.#open.push(glob);
      else this.#byFirst.set(first, [...(this.#byFirst.get(first) ?? []), glob]);
    }
  }

  find(text: string): PriceEntry | undefined {
    for (const { matcher, entry } of this.#byFirst.get(text[0] ?? "") ?? NO_GLOBS) if (matcher.matchesText(text)) return entry;
    for (const { matcher, entry } of this.#open) if (matcher.matchesText(text)) return entry;
    return undefined;
  }
}

/**
 * Finds the price of a model, compared as providers take model ids: without regard to case, and an entry without `/`
 * pricing the name after its provider prefix (`gpt-4o` prices `openai/gpt-4o`). The most specific entry wins: an
 * exact name over any glob, one naming the provider over one that does not; among globs, the longer literal text
 * before the first `*`, then more literal characters in all, then the earlier entry in the file. An odd name (see
 * oddity: control characters, spaces at the ends, non-ASCII) is priced only by an entry naming it exactly.
 * Exact names sit in a Map; globs are compiled once and filed by the first character of their prefix, so a lookup
 * tests only the globs that could match. A model already seen is one Map read (apps call a handful of models;
 * `npm run bench:engine` measures both against 1,000 entries and 10).
 * @example new PriceTable({ "gpt-4o*": { input_per_mtok: 2.5, output_per_mtok: 10 } }).lookup("GPT-4o-mini")?.pattern // "gpt-4o*"
 */
export class PriceTable {
  /** Number of entries. */
  readonly size: number;
  /** Exact names by their text (lower case, or as written when odd); the first of two that differ only in case wins. */
  readonly #exact = new Map<string, PriceEntry>();
  /** Globs naming a provider (compared with the whole name), then the others (compared with the name after its prefix). */
  readonly #fullGlobs: GlobIndex;
  readonly #bareGlobs: GlobIndex;
  /** Models already looked up, as called (null: no entry prices them): most lookups end here. */
  readonly #known = new Map<string, PriceEntry | null>();
  #remembered = 0;

  constructor(spec: Readonly<Record<string, PriceSpec>> = {}) {
    const globs: { matcher: ModelPattern; entry: PriceEntry; order: number }[] = [];
    let order = 0;
    for (const [pattern, price] of Object.entries(spec)) {
      const entry: PriceEntry = { pattern, spec: price, prices: pricesOf(price) };
      const matcher = compileModelPattern(pattern);
      if (!matcher.exact) globs.push({ matcher, entry, order: order++ });
      else if (!this.#exact.has(matcher.text)) this.#exact.set(matcher.text, entry);
    }
    globs.sort(
      (a, b) => b.matcher.prefix.length - a.matcher.prefix.length || b.matcher.literalLength - a.matcher.literalLength || a.order - b.order,
    );
    this.#fullGlobs = new GlobIndex(globs.filter((glob) => glob.matcher.form === "full"));
    this.#bareGlobs = new GlobIndex(globs.filter((glob) => glob.matcher.form === "bare"));
    this.size = Object.keys(spec).length;
  }

  /** The entry that prices `model`, or undefined when no entry names it. */
  lookup(model: string): PriceEntry | undefined {
    const known = this.#known.get(model);
    if (known !== undefined) return known ?? undefined;
    const found = this.scan(model);
    if (this.#remembered++ < REMEMBERED_MODELS) this.#known.set(model, found ?? null);
    return found;
  }

  /** lookup() without the memory of earlier lookups: every glob tested in order of specificity (benchmarks, tests). */
  scan(model: string): PriceEntry | undefined {
    if (oddity(model) !== undefined) return this.#exact.get(model);
    const name = modelName(model);
    return this.#exact.get(name.full) ?? this.#exact.get(name.bare) ?? this.#fullGlobs.find(name.full) ?? this.#bareGlobs.find(name.bare);
  }
}

function pricesOf(spec: PriceSpec): TokenPrices {
  const input = microPrice(toMicros(spec.input_per_mtok));
  return {
    input,
    cachedInput: spec.cached_input_per_mtok === undefined ? input : microPrice(toMicros(spec.cached_input_per_mtok)),
    output: microPrice(toMicros(spec.output_per_mtok)),
  };
}
