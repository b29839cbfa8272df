// The canonical text of a log record: JSON with keys sorted at every level, so a MAC can be recomputed from a parsed line.

/** A JSON value as the log writes it. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue | undefined };

type JsonObject = { readonly [key: string]: JsonValue | undefined };

/**
 * An object's keys in sorted order. Records are built, and parsed lines arrive, with their keys already in order,
 * so a scan that finds them sorted is all most objects cost (sealing a decision record: see bench/README.md).
 */
export function sortedKeys(object: object): string[] {
  const keys = Object.keys(object);
  for (let i = 1; i < keys.length; i++) {
    if ((keys[i - 1] ?? "") > (keys[i] ?? "")) return keys.sort();
  }
  return keys;
}

/** Whether every object in `value` lists its keys in sorted order, so that JSON.stringify writes it canonically. */
export function inCanonicalOrder(value: JsonValue): boolean {
  if (value === null || typeof value !== "object") return true;
  if (Array.isArray(value)) {
    for (const item of value as readonly JsonValue[]) if (!inCanonicalOrder(item)) return false;
    return true;
  }
  const object = value as JsonObject;
  let previous: string | undefined;
  // for…in walks a plain object's keys in Object.keys order without making an array of them.
  for (const key in object) {
    if (previous !== undefined && previous > key) return false;
    previous = key;
    const item = object[key];
    if (item !== undefined && !inCanonicalOrder(item)) return false;
  }
  return true;
}

function sortedJson(value: JsonValue): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) {
    const items = value as readonly JsonValue[];
    let text = "[";
    for (let i = 0; i < items.length; i++) text += (i === 0 ? "" : ",") + canonicalJson(items[i]);
    return `${text}]`;
  }
  const object = value as JsonObject;
  let text = "{";
  for (const key of sortedKeys(object)) {
    const item = object[key];
    if (item === undefined) continue;
    text += `${text.length === 1 ? "" : ","}${JSON.stringify(key)}:${canonicalJson(item)}`;
  }
  return `${text}}`;
}

/**
 * JSON text with object keys in sorted order and `undefined` fields left out; the same value always gives the same text.
 * A value whose objects already list their keys in order (records are built so, parsed canonical lines arrive so)
 * is written by JSON.stringify, which then gives the same text; only the others are sorted here.
 * @example canonicalJson({ b: 1, a: [true, { d: null, c: "x" }] }) // '{"a":[true,{"c":"x","d":null}],"b":1}'
 */
export function canonicalJson(value: JsonValue | undefined): string {
  if (value === undefined) return "null";
  return inCanonicalOrder(value) ? JSON.stringify(value) : sortedJson(value);
}
