// How a call's model name is compared: case-insensitively, a provider prefix (`openai/`) understood, odd names refused.

/** A call's model name in the forms that patterns compare against, made once per call. */
export interface ModelName {
  /** As the call stated it. */
  readonly raw: string;
  /** Lower-cased, provider prefix kept (`openai/gpt-4o`): what a pattern with a `/` compares against. */
  readonly full: string;
  /** Lower-cased, without the provider prefix (the text up to the last `/`): what every other pattern compares against. */
  readonly bare: string;
}

/**
 * What makes a name one no provider takes as written, or undefined for a plain name: a control character, a space at
 * either end, or a character outside printable ASCII (a Cyrillic `о` in `claude-оpus-4` looks like the Latin one).
 * @example oddity("gpt-4o\u0000") // "a control character (U+0000)"
 */
export function oddity(name: string): string | undefined {
  if (name.startsWith(" ") || name.endsWith(" ")) return "a space at its start or end";
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code >= 0x20 && code <= 0x7e) continue;
    const kind = code < 0x20 || code === 0x7f ? "a control character" : "a character outside printable ASCII";
    return `${kind} (U+${code.toString(16).toUpperCase().padStart(4, "0")})`;
  }
  return undefined;
}

/**
 * The forms of a model name. A plain name is compared in lower case, as providers treat model ids; an odd one (see
 * oddity) only as written, since it can only be admitted where an entry of the file names it exactly.
 * @example modelName("OpenAI/GPT-4o") // { raw: "OpenAI/GPT-4o", full: "openai/gpt-4o", bare: "gpt-4o" }
 */
export function modelName(raw: string): ModelName {
  if (oddity(raw) !== undefined) return { raw, full: raw, bare: raw };
  const full = raw.toLowerCase();
  return { raw, full, bare: full.slice(full.lastIndexOf("/") + 1) };
}

/**
 * Why a call may not use this model name, or undefined when it may: a name that is empty, ends at its provider prefix
 * (`openai/`), or is odd (see oddity) and named exactly by no entry of the file (`exactNames`: the keys of `prices:`
 * and the entries of `models:` and `forbidden_models:`, as written).
 * @example modelNameProblem("claude-\u043epus-4", new Set()) // 'model "claude-оpus-4" has a character outside printable ASCII …'
 */
export function modelNameProblem(raw: string, exactNames: ReadonlySet<string>): string | undefined {
  const shown = JSON.stringify(raw);
  const odd = oddity(raw);
  if (odd !== undefined) {
    if (exactNames.has(raw)) return undefined;
    return `model ${shown} has ${odd}, and no entry of the policy file names it exactly: give the name the provider uses, e.g. "gpt-4o"`;
  }
  if (raw === "" || raw.endsWith("/"))
    return `model ${shown} is not a model name: give the name the provider uses, e.g. "gpt-4o" or "openai/gpt-4o"`;
  return undefined;
}
