// Maps key paths such as ["policies", 0, "rules", 1] to 1-based line/column positions in the YAML source.
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from "yaml";

/** One segment of a key path: a mapping key or a list index. */
export type KeyPathSegment = string | number;
/** A key path into the policy file, e.g. `["policies", 0, "rules", 1]`. */
export type KeyPath = readonly KeyPathSegment[];

/** A 1-based position in the source text. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** Answers "where in the file is this key path?" for one parsed document. */
export interface SourceLocator {
  /** Position of the value at `path`, or undefined when the path is not in the file. */
  locate(path: KeyPath): SourcePosition | undefined;
  /** Position of the key that names the last segment of `path` (for unknown or misspelt keys). */
  locateKey(path: KeyPath): SourcePosition | undefined;
  /** Position of the value at `path`, or of its deepest ancestor that exists (for missing keys). */
  locateNearest(path: KeyPath): SourcePosition | undefined;
}

/**
 * Renders a key path the way people write it: `policies[1].rules[0].requests_per_minite`.
 * Keys that are not plain names are quoted: `store["my key"]`.
 */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (typeof segment === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) {
      text += text === "" ? segment : `.${segment}`;
    } else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text;
}

/** Whether a mapping key node stands for the given path segment. */
function keyMatches(key: unknown, segment: KeyPathSegment): boolean {
  if (isScalar(key)) return String(key.value) === String(segment);
  return (typeof key === "string" || typeof key === "number") && String(key) === String(segment);
}

/** Follows an alias to the node it refers to; other nodes are returned as they are. */
function resolveAlias(doc: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

/** The key node and value node reached by following `path`, or the deepest point reached. */
interface Walk {
  readonly node: unknown;
  readonly key: unknown;
  readonly depth: number;
}

/** Follows `path` through maps and lists as far as it goes. */
function walk(doc: Document, path: KeyPath): Walk {
  let node: unknown = doc.contents;
  let key: unknown;
  let depth = 0;
  for (const segment of path) {
    const current = resolveAlias(doc, node);
    let next: unknown;
    let nextKey: unknown;
    let found = false;
    if (isMap(current)) {
      const pair = current.items.find((item) => isPair(item) && keyMatches(item.key, segment));
      if (pair !== undefined) {
        next = pair.value;
        nextKey = pair.key;
        found = true;
      }
    } else if (isSeq(current) && typeof segment === "number" && segment < current.items.length) {
      next = current.items[segment];
      found = true;
    }
    if (!found) break;
    node = next;
    key = nextKey;
    depth += 1;
  }
  return { node, key, depth };
}

/**
 * Builds a locator for one parsed document; `lineCounter` must be the one given to `parseDocument`.
 * @example createSourceLocator(doc, lineCounter).locate(["policies", 0]) // { line: 2, column: 5 }
 */
export function createSourceLocator(doc: Document, lineCounter: LineCounter): SourceLocator {
  const positionOf = (node: unknown): SourcePosition | undefined => {
    const range = (node as Partial<Node> | null | undefined)?.range;
    if (range === undefined || range === null) return undefined;
    const { line, col } = lineCounter.linePos(range[0]);
    return line >= 1 && col >= 1 ? { line, column: col } : undefined;
  };
  const locate = (path: KeyPath): SourcePosition | undefined => {
    const reached = walk(doc, path);
    return reached.depth === path.length ? positionOf(reached.node) : undefined;
  };
  return {
    locate,
    locateKey(path) {
      const reached = walk(doc, path);
      if (reached.depth !== path.length) return undefined;
      return positionOf(reached.key) ?? positionOf(reached.node);
    },
    locateNearest(path) {
      for (let length = path.length; length >= 0; length -= 1) {
        const position = locate(path.slice(0, length));
        if (position !== undefined) return position;
      }
      return undefined;
    },
  };
}
