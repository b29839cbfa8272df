// Model names and globs (`claude-3-5-haiku*`, `*opus*`), compiled once into matchers: `*` stands for any text.
import { oddity, type ModelName } from "./model-name.js";

/** A compiled model name or glob. */
export interface ModelPattern {
  readonly pattern: string;
  /** The text matched: the pattern in lower case, or as written when it is odd (see oddity). */
  readonly text: string;
  /** True when the pattern has no `*`: it matches only itself. */
  readonly exact: boolean;
  /** The literal text before the first `*`. */
  readonly prefix: string;
  /** Characters of the pattern that are not `*`. */
  readonly literalLength: number;
  /** Which form of a call's model name the pattern compares against: `full` when it names a provider (has a `/`). */
  readonly form: "full" | "bare" | "raw";
  /** Whether the form of `name` this pattern compares against matches it. */
  matches(name: ModelName): boolean;
  /** Whether a text (already in the pattern's form) matches. */
  matchesText(text: string): boolean;
}

/**
 * Compiles a model name or glob. `*` matches any text (also none); every other character matches itself, without
 * regard to case: `GPT-4o` and `gpt-4o` are one model, as the providers take them. A pattern without `/` compares with
 * the name's part after its provider prefix (`gpt-4o` matches `openai/gpt-4o`); one with `/` with the whole name. An
 * odd pattern (control characters, non-ASCII) compares with the name exactly as written. A glob is matched piece by
 * piece with `startsWith`/`indexOf`/`endsWith`, no regular expression.
 * @example compileModelPattern("claude-*-haiku*").matches(modelName("Claude-3-5-Haiku-20241022")) // true
 */
export function compileModelPattern(pattern: string): ModelPattern {
  const odd = oddity(pattern) !== undefined;
  const text = odd ? pattern : pattern.toLowerCase();
  const form = odd ? "raw" : text.includes("/") ? "full" : "bare";
  const pieces = text.split("*");
  const literalLength = text.length - (pieces.length - 1);
  const prefix = pieces[0] ?? "";
  const base = { pattern, text, prefix, literalLength, form } as const;
  if (pieces.length === 1) {
    const matchesText = (model: string): boolean => model === text;
    return { ...base, exact: true, matchesText, matches: (name) => matchesText(name[form]) };
  }
  const suffix = pieces[pieces.length - 1] ?? "";
  const middle = pieces.slice(1, -1).filter((piece) => piece !== "");
  const matchesText = (model: string): boolean => {
    if (model.length < literalLength || !model.startsWith(prefix) || !model.endsWith(suffix)) return false;
    let at = prefix.length;
    const end = model.length - suffix.length;
    for (const piece of middle) {
      const found = model.indexOf(piece, at);
      if (found < 0 || found + piece.length > end) return false;
      at = found + piece.length;
    }
    return true;
  };
  return { ...base, exact: false, matchesText, matches: (name) => matchesText(name[form]) };
}

/**
 * A list of model names and globs, as `models:` and `forbidden_models:` name them.
 * @example modelList(["gpt-4o*", "o3"]).find(modelName("OpenAI/GPT-4o-mini")) // "gpt-4o*"
 */
export function modelList(patterns: readonly string[]): {
  readonly patterns: readonly string[];
  find(model: ModelName): string | undefined;
} {
  const compiled = patterns.map(compileModelPattern);
  return {
    patterns,
    find: (model) => compiled.find((p) => p.matches(model))?.pattern,
  };
}
