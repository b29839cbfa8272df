// A stand-in for a paid model: a reply, and what it cost at a pretend price of a cent per word.
const PRICE_PER_WORD = 0.01;

/** Echoes the prompt a few times and prices the reply by its words. */
export function pretendModel(prompt: string): { reply: string; cost: number } {
  const reply = `You said: ${prompt}. `.repeat(Math.max(1, Math.min(40, Math.ceil(200 / (prompt.length + 1)))));
  const cost = Math.round(reply.split(/\s+/).length * PRICE_PER_WORD * 100) / 100;
  return { reply, cost };
}
