// "Did you mean …?" suggestions: the nearest known word to a misspelt one, by edit distance.
import { distance } from "fastest-levenshtein";

/** Lower-cases and drops `_`, `-`, spaces and `/` so `requestsPerMinute` and `requests_per_minute` compare equal. */
function normalizeWord(word: string): string {
  return word.toLowerCase().replace(/[_\-\s/]/g, "");
}

/** How many edits a word of this length may be away from a candidate and still count as a likely typo. */
function allowedEdits(word: string): number {
  return word.length <= 3 ? 1 : Math.max(2, Math.floor(word.length / 3));
}

/**
 * The candidate closest to `input`, or undefined when none is close enough to be a likely typo.
 * Compares case- and separator-insensitively first, then by raw distance to break ties.
 * @example closestMatch("requests_per_minite", ["requests_per_minute", "cost"]) // "requests_per_minute"
 */
export function closestMatch(input: string, candidates: readonly string[]): string | undefined {
  const wanted = normalizeWord(input);
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const normalized = normalizeWord(candidate);
    const edits = distance(wanted, normalized);
    const isPrefix = wanted.length >= 2 && normalized.startsWith(wanted);
    if (edits > allowedEdits(candidate) && !isPrefix) continue;
    const score = (isPrefix ? 0 : edits) * 1000 + distance(input, candidate);
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

/**
 * A fix text that proposes the nearest candidate, or lists every candidate when none is close.
 * @example suggestionFix("blok", ["block", "warn"]) // 'did you mean "block"?'
 */
export function suggestionFix(input: string, candidates: readonly string[], listLabel = "valid values"): string {
  const nearest = closestMatch(input, candidates);
  if (nearest !== undefined) return `did you mean "${nearest}"?`;
  return `${listLabel}: ${candidates.join(", ")}`;
}
