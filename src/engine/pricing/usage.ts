// Reads a model provider's usage object (OpenAI Chat, OpenAI Responses, Anthropic Messages) into priced token counts.
import { tokenCountProblem, type PricedTokens } from "./token-cost.js";

/**
 * Token usage as the providers' SDKs return it (`response.usage`); other fields (`total_tokens`…) are ignored.
 * - OpenAI Chat Completions: `prompt_tokens` (cached ones included, counted in `prompt_tokens_details.cached_tokens`)
 *   and `completion_tokens`.
 * - OpenAI Responses: `input_tokens` (cached included, `input_tokens_details.cached_tokens`) and `output_tokens`.
 * - Anthropic Messages: `input_tokens` (cache excluded), `cache_creation_input_tokens` (priced as input),
 *   `cache_read_input_tokens` (priced as cached input) and `output_tokens`.
 * @example await decision.settle({ prompt_tokens: 1200, completion_tokens: 340 })
 */
export interface TokenUsage {
  readonly prompt_tokens?: number | undefined;
  readonly completion_tokens?: number | undefined;
  readonly prompt_tokens_details?: { readonly cached_tokens?: number | undefined } | null | undefined;
  readonly input_tokens?: number | undefined;
  readonly output_tokens?: number | undefined;
  readonly input_tokens_details?: { readonly cached_tokens?: number | undefined } | null | undefined;
  readonly cache_creation_input_tokens?: number | null | undefined;
  readonly cache_read_input_tokens?: number | null | undefined;
}

/** Whether a settle() argument is a usage object rather than an amount. */
export function isUsage(value: unknown): value is TokenUsage {
  return typeof value === "object" && value !== null;
}

const SHAPES = "prompt_tokens and completion_tokens (OpenAI Chat), or input_tokens and output_tokens (OpenAI Responses, Anthropic)";

/**
 * The priced token counts of a usage object, or the error it deserves: a TypeError when it has none of the known
 * shapes, a RangeError naming the field whose count is not a whole number from 0 to MAX_TOKENS.
 * @example readUsage({ input_tokens: 10, cache_read_input_tokens: 90, output_tokens: 5 }) // { input: 10, cachedInput: 90, output: 5 }
 */
export function readUsage(usage: TokenUsage): PricedTokens | TypeError | RangeError {
  const record = usage as Readonly<Record<string, unknown>>;
  if (record["prompt_tokens"] !== undefined) {
    return split(
      record,
      "prompt_tokens",
      "completion_tokens",
      (usage.prompt_tokens_details ?? undefined)?.cached_tokens,
      "prompt_tokens_details.cached_tokens",
    );
  }
  if (record["input_tokens"] === undefined)
    return new TypeError(`cannot settle ${describe(usage)}: a usage object needs ${SHAPES}; nothing was changed`);
  const anthropic = record["cache_read_input_tokens"] != null || record["cache_creation_input_tokens"] != null;
  if (!anthropic)
    return split(
      record,
      "input_tokens",
      "output_tokens",
      (usage.input_tokens_details ?? undefined)?.cached_tokens,
      "input_tokens_details.cached_tokens",
    );
  const counts = counted(record, ["input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"]);
  if (counts instanceof RangeError) return counts;
  const [input = 0, output = 0, written = 0, read = 0] = counts;
  return { input: input + written, cachedInput: read, output };
}

/** OpenAI's shapes: the input count includes the cached tokens, which are priced apart. */
function split(
  record: Readonly<Record<string, unknown>>,
  inputField: string,
  outputField: string,
  cached: unknown,
  cachedField: string,
): PricedTokens | RangeError {
  const counts = counted(record, [inputField, outputField]);
  if (counts instanceof RangeError) return counts;
  const [input = 0, output = 0] = counts;
  const cachedProblem = cached === undefined ? undefined : tokenCountProblem(cached, cachedField);
  if (cachedProblem !== undefined) return rangeError(cachedProblem);
  const cachedInput = (cached as number | undefined) ?? 0;
  if (cachedInput > input) return rangeError(`${cachedField} ${cachedInput} is more than ${inputField} ${input}, which include them`);
  return { input: input - cachedInput, cachedInput, output };
}

/** The counts of the named fields (null or absent cache fields read as 0; the main counts must be present). */
function counted(record: Readonly<Record<string, unknown>>, fields: readonly string[]): number[] | RangeError {
  const counts: number[] = [];
  for (const [i, field] of fields.entries()) {
    const value = record[field] ?? (i >= 2 ? 0 : undefined);
    const problem = tokenCountProblem(value, field);
    if (problem !== undefined) return rangeError(problem);
    counts.push(value as number);
  }
  return counts;
}

function rangeError(problem: string): RangeError {
  return new RangeError(`cannot settle this usage: ${problem}; nothing was changed`);
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
