// A digest of a request body that stays the same when the same body is sent again, whatever parsed it.
import { createHash } from "node:crypto";

/** Longest body a confirmation token binds: bytes or characters of a raw body, characters of a parsed body's canonical form. */
export const MAX_BOUND_BODY = 1_048_576;

/** Why a body cannot be bound to a confirmation token, and the status the request is refused with. */
export interface UnboundBody {
  /** 413 when the body is longer than MAX_BOUND_BODY; 400 when it holds a value the canonical form does not define. */
  readonly status: 400 | 413;
  /** What is wrong with the body, to end the sentence "a confirmation token cannot be bound to this request body: …". */
  readonly reason: string;
}

/** Text the canonical form writes as it is. */
class Literal {
  constructor(readonly text: string) {}
}

/** Marks the end of a container, which then no longer counts as an ancestor for cycle detection. */
class Leave {
  constructor(readonly container: object) {}
}

const TOO_LARGE: UnboundBody = Object.freeze({ status: 413, reason: `it is longer than ${MAX_BOUND_BODY} characters (1 MiB)` });

function refused(reason: string): UnboundBody {
  return { status: 400, reason };
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The canonical text of one value, or what is pushed on `stack` to write its contents; an UnboundBody when the
 * canonical form does not define it. Each container stays in `open` until its Leave is popped.
 */
function expand(value: unknown, stack: unknown[], open: Set<object>): string | UnboundBody {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? JSON.stringify(value) : refused(`it holds the number ${value}, which JSON cannot carry`);
    case "boolean":
      return value ? "true" : "false";
    case "undefined":
      return "null";
    case "bigint":
      return refused("it holds a BigInt");
    case "symbol":
    case "function":
      return refused(`it holds a ${typeof value}`);
  }
  if (value === null) return "null";
  const object = value as object;
  if (open.has(object)) return refused("it contains itself (a cycle)");
  if (Array.isArray(object)) {
    open.add(object);
    stack.push(new Leave(object), new Literal("]"));
    for (let i = object.length - 1; i >= 0; i--) {
      stack.push(object[i]);
      if (i > 0) stack.push(new Literal(","));
    }
    return "[";
  }
  if (isPlainObject(object)) {
    const record = object as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    const fields: [string, unknown][] = [];
    for (const key of keys) if (record[key] !== undefined) fields.push([key, record[key]]);
    open.add(object);
    stack.push(new Leave(object), new Literal("}"));
    for (let i = fields.length - 1; i >= 0; i--) {
      const [key, field] = fields[i] as [string, unknown];
      stack.push(field, new Literal(`${i > 0 ? "," : ""}${JSON.stringify(key)}:`));
    }
    return "{";
  }
  // Tagged by a letter, which no JSON value starts with, so none equals a string, number or object.
  if (object instanceof Date) {
    const time = object.getTime();
    return Number.isNaN(time) ? refused("it holds an invalid Date") : `D${time}`;
  }
  if (object instanceof Uint8Array) return `B"${Buffer.from(object.buffer, object.byteOffset, object.byteLength).toString("base64")}"`;
  if (object instanceof Map || object instanceof Set) {
    open.add(object);
    stack.push(new Leave(object), [...object]);
    return object instanceof Map ? "M" : "S";
  }
  const name = (object as { constructor?: { name?: unknown } }).constructor?.name;
  return refused(`it holds an instance of ${typeof name === "string" && name !== "" ? name : "a class"}, which has no canonical form`);
}

/**
 * The canonical form of a parsed body: JSON with sorted keys (properties holding undefined left out, as JSON does),
 * computed without recursion, so any depth is bound in full. Date, Uint8Array, Map and Set (in iteration order)
 * are tagged; BigInt, non-finite numbers, functions, symbols, cycles and other class instances are refused.
 */
function canonicalForm(root: unknown): string | UnboundBody {
  const parts: string[] = [];
  const open = new Set<object>();
  const stack: unknown[] = [root];
  let length = 0;
  while (stack.length > 0) {
    const item = stack.pop();
    let text: string | UnboundBody;
    if (item instanceof Literal) text = item.text;
    else if (item instanceof Leave) {
      open.delete(item.container);
      continue;
    } else text = expand(item, stack, open);
    if (typeof text !== "string") return text;
    length += text.length;
    if (length > MAX_BOUND_BODY) return TOO_LARGE;
    parts.push(text);
  }
  return parts.join("");
}

/**
 * SHA-256 of a request body as base64url, or why the body cannot be bound to a confirmation token. Raw bytes and
 * strings are hashed as sent; a parsed body (JSON, form) is hashed in a canonical form (JSON with sorted keys; Date,
 * Uint8Array, Map and Set tagged), so key order does not matter. No body hashes as the empty string. A body longer
 * than MAX_BOUND_BODY gives status 413; one holding a BigInt, a non-finite number, a function, a symbol, a cycle or
 * another class instance gives 400. Never throws.
 * @example bodyDigest({ b: 1, a: 2 }) === bodyDigest({ a: 2, b: 1 }) // true
 * @example bodyDigest({ id: 1n }) // { status: 400, reason: "it holds a BigInt" }
 */
export function bodyDigest(body: unknown): string | UnboundBody {
  let bytes: string | Uint8Array;
  if (body === undefined || body === null) bytes = "";
  else if (typeof body === "string" || body instanceof Uint8Array) {
    if ((typeof body === "string" ? body.length : body.byteLength) > MAX_BOUND_BODY) return TOO_LARGE;
    bytes = body;
  } else {
    let form: string | UnboundBody;
    try {
      form = canonicalForm(body);
    } catch (error) {
      form = refused(`reading it threw (${error instanceof Error ? error.message : String(error)})`);
    }
    if (typeof form !== "string") return form;
    bytes = form;
  }
  return createHash("sha256").update(bytes).digest("base64url");
}
