// Model names and globs (`claude-3-5-haiku*`, `*opus*`), compiled once into matchers: `*` stands for any text.

/** A compiled model name or glob. */
export interface ModelPattern {
  readonly pattern: string;
  /** True when the pattern has no `*`: it matches only itself. */
  readonly exact: boolean;
  /** The literal text before the first `*`. */
  readonly prefix: string;
  /** Characters of the pattern that are not `*`. */
  readonly literalLength: number;
  matches(model: string): boolean;
}

/**
 * Compiles a model name or glob. `*` matches any text (also none); every other character matches itself, case and
 * all. A glob is matched piece by piece with `startsWith`/`indexOf`/`endsWith`, no regular expression.
 * @example compileModelPattern("claude-*-haiku*").matches("claude-3-5-haiku-20241022") // true
 */
export function compileModelPattern(pattern: string): ModelPattern {
  const pieces = pattern.split("*");
  const literalLength = pattern.length - (pieces.length - 1);
  const prefix = pieces[0] ?? "";
  if (pieces.length === 1) return { pattern, exact: true, prefix, literalLength, matches: (model) => model === pattern };
  const suffix = pieces[pieces.length - 1] ?? "";
  const middle = pieces.slice(1, -1).filter((piece) => piece !== "");
  const matches = (model: string): boolean => {
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
  return { pattern, exact: false, prefix, literalLength, matches };
}

/**
 * A list of model names and globs, as `models:` and `forbidden_models:` name them.
 * @example modelList(["gpt-4o*", "o3"]).find("gpt-4o-mini") // "gpt-4o*"
 */
export function modelList(patterns: readonly string[]): { readonly patterns: readonly string[]; find(model: string): string | undefined } {
  const compiled = patterns.map(compileModelPattern);
  return {
    patterns,
    find: (model) => compiled.find((p) => p.matches(model))?.pattern,
  };
}
