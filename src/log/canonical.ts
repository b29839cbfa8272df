// The canonical text of a log record: JSON with keys sorted at every level, so a MAC can be recomputed from a parsed line.

/** A JSON value as the log writes it. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue | undefined };

type JsonObject = { readonly [key: string]: JsonValue | undefined };

/**
 * The members of an object as canonical JSON text (`"key":value`), in sorted key order, `undefined` fields left out.
 * @example canonicalMembers({ b: 1, a: null }) // { keys: ["a", "b"], texts: ['"a":null', '"b":1'] }
 */
export function canonicalMembers(object: JsonObject): { keys: string[]; texts: string[] } {
  const keys: string[] = [];
  const texts: string[] = [];
  for (const key of Object.keys(object).sort()) {
    const item = object[key];
    if (item === undefined) continue;
    keys.push(key);
    texts.push(`${JSON.stringify(key)}:${canonicalJson(item)}`);
  }
  return { keys, texts };
}

/**
 * JSON text with object keys in sorted order and `undefined` fields left out; the same value always gives the same text.
 * Built by appending to one string rather than joining arrays: every logged decision passes through here.
 * @example canonicalJson({ b: 1, a: [true, { d: null, c: "x" }] }) // '{"a":[true,{"c":"x","d":null}],"b":1}'
 */
export function canonicalJson(value: JsonValue | undefined): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) {
    const items = value as readonly JsonValue[];
    let text = "[";
    for (let i = 0; i < items.length; i++) text += (i === 0 ? "" : ",") + canonicalJson(items[i]);
    return `${text}]`;
  }
  const object = value as JsonObject;
  let text = "{";
  for (const key of Object.keys(object).sort()) {
    const item = object[key];
    if (item === undefined) continue;
    text += `${text.length === 1 ? "" : ","}${JSON.stringify(key)}:${canonicalJson(item)}`;
  }
  return `${text}}`;
}
