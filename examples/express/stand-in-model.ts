// A stand-in for a paid chat model: no network, a reply, and a usage object shaped as OpenAI's SDK returns it.

/** The part of an OpenAI Chat Completions response the example uses. */
export interface StandInCompletion {
  readonly model: string;
  readonly choices: readonly { readonly message: { readonly role: "assistant"; readonly content: string } }[];
  readonly usage: { readonly prompt_tokens: number; readonly completion_tokens: number; readonly total_tokens: number };
}

/** Tokens of a text, roughly as OpenAI's tokenizers count English: one per four characters. */
export function countTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * Pretends to write a long report about the prompt: it always uses 80% of `max_tokens`, as a verbose model does.
 * @example
 * standInChat({ model: "gpt-4", max_tokens: 25_000, prompt: "hi" }).usage
 * // { prompt_tokens: 1, completion_tokens: 20000, total_tokens: 20001 }
 */
export function standInChat(request: { readonly model: string; readonly max_tokens: number; readonly prompt: string }): StandInCompletion {
  const promptTokens = countTokens(request.prompt);
  const completionTokens = Math.floor(request.max_tokens * 0.8);
  return {
    model: request.model,
    choices: [{ message: { role: "assistant", content: `A report of ${completionTokens} tokens about: ${request.prompt}` } }],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
  };
}
