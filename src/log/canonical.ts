// The canonical text of a log record: JSON with keys sorted at every level, so a MAC can be recomputed from a parsed line.

/** A JSON value as the log writes it. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue | undefined };

/**
 * The members of an object as canonical JSON text (`"key":value`), in sorted key order, `undefined` fields left out.
 * @example canonicalMembers({ b: 1, a: null }) // [["a", '"a":null'], ["b", '"b":1']]
 */
export function canonicalMembers(object: { readonly [key: string]: JsonValue | undefined }): [key: string, text: string][] {
  const members: [string, string][] = [];
  for (const key of Object.keys(object).sort()) {
    const item = object[key];
    if (item !== undefined) members.push([key, `${JSON.stringify(key)}:${canonicalJson(item)}`]);
  }
  return members;
}

/**
 * JSON text with object keys in sorted order and `undefined` fields left out; the same value always gives the same text.
 * @example canonicalJson({ b: 1, a: [true, { d: null, c: "x" }] }) // '{"a":[true,{"c":"x","d":null}],"b":1}'
 */
export function canonicalJson(value: JsonValue | undefined): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((item: JsonValue) => canonicalJson(item)).join(",")}]`;
  return `{${canonicalMembers(value as { readonly [key: string]: JsonValue | undefined })
    .map(([, text]) => text)
    .join(",")}}`;
}
