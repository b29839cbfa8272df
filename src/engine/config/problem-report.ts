// Collects located ConfigProblems for one policy file: path text, line/column and enclosing policy id.
import type { ConfigProblem } from "../../errors/config-error.js";
import { formatKeyPath, type KeyPath, type SourceLocator, type SourcePosition } from "./locate.js";

/** Which node a problem points at: the value, the key naming it, or the nearest node that exists. */
export type ProblemAnchor = "value" | "key";

/** What a check says about one place in the file. */
export interface ProblemDetail {
  readonly message: string;
  readonly fix?: string | undefined;
  /** Point at the key itself instead of its value (unknown keys). Defaults to the value. */
  readonly anchor?: ProblemAnchor;
}

/**
 * The value at `path` inside plain parsed data, or undefined when the path does not exist.
 * @example valueAtPath({ a: [1, 2] }, ["a", 1]) // 2
 */
export function valueAtPath(data: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = data;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** Accumulates every problem found in one file, so they can all be thrown together. */
export class ProblemReport {
  readonly #file: string;
  readonly #locator: SourceLocator | undefined;
  readonly #data: unknown;
  readonly #problems: ConfigProblem[] = [];

  constructor(file: string, locator?: SourceLocator, data?: unknown) {
    this.#file = file;
    this.#locator = locator;
    this.#data = data;
  }

  /** Every problem added so far, in the order found. */
  get problems(): readonly ConfigProblem[] {
    return this.#problems;
  }

  /** Every problem, ordered by position in the file (whole-file problems first). */
  sortedProblems(): ConfigProblem[] {
    const rank = (p: ConfigProblem): number => (p.line ?? 0) * 1_000_000 + (p.column ?? 0);
    return this.#problems
      .map((p, i) => ({ p, i }))
      .sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i)
      .map(({ p }) => p);
  }

  /** Records a problem at a key path, located in the source and tagged with its policy id. */
  add(path: readonly PropertyKey[], detail: ProblemDetail): void {
    const keyPath = path.filter((s): s is string | number => typeof s === "string" || typeof s === "number");
    const position = this.#position(keyPath, detail.anchor ?? "value");
    const policyId = this.#policyIdAt(keyPath);
    this.#problems.push({
      file: this.#file,
      ...(position === undefined ? {} : { line: position.line, column: position.column }),
      ...(policyId === undefined ? {} : { policyId }),
      path: formatKeyPath(path),
      message: detail.message,
      ...(detail.fix === undefined ? {} : { fix: detail.fix }),
    });
  }

  /** Records a problem about the whole file (no key path), optionally at a known position. */
  addWholeFile(detail: ProblemDetail, position?: SourcePosition): void {
    this.#problems.push({
      file: this.#file,
      ...(position === undefined ? {} : { line: position.line, column: position.column }),
      path: "",
      message: detail.message,
      ...(detail.fix === undefined ? {} : { fix: detail.fix }),
    });
  }

  /** `file:line:column` of the value at `path` (or just the file name when it cannot be located). */
  describePlace(path: KeyPath): string {
    const position = this.#position(path, "value");
    return position === undefined ? this.#file : `${this.#file}:${position.line}:${position.column}`;
  }

  #position(path: KeyPath, anchor: ProblemAnchor): SourcePosition | undefined {
    const locator = this.#locator;
    if (locator === undefined) return undefined;
    const exact = anchor === "key" ? locator.locateKey(path) : locator.locate(path);
    return exact ?? locator.locateNearest(path);
  }

  #policyIdAt(path: KeyPath): string | undefined {
    if (path[0] !== "policies" || typeof path[1] !== "number") return undefined;
    const id = valueAtPath(this.#data, ["policies", path[1], "id"]);
    return typeof id === "string" ? id : undefined;
  }
}
