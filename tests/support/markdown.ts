// Reads the project's Markdown for the docs tests: fenced blocks with their hidden markers, relative links, headings.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The repository root. */
export const ROOT = join(import.meta.dirname, "..", "..");

/** The Markdown files a reader is pointed at: the README, every page under docs/, and CONTRIBUTING.md. */
export function documentationFiles(): string[] {
  const pages = readdirSync(join(ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`);
  return ["README.md", "CONTRIBUTING.md", ...pages.sort()];
}

/** How the line before a fence marks it; readers never see these HTML comments. */
export type BlockMark =
  | { readonly kind: "runnable"; readonly needs?: string }
  | { readonly kind: "file"; readonly name: string }
  | { readonly kind: "output" }
  | { readonly kind: "none" };

/** One fenced code block. */
export interface CodeBlock {
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The info string's first word: `ts`, `js`, `sh`, `yaml`, `text`… */
  readonly language: string;
  readonly code: string;
  readonly mark: BlockMark;
}

const MARK = /^<!--\s*(runnable(?:\s+needs=(\w+))?|file:\s*(\S+)|output)\s*-->$/;

function markOf(line: string | undefined): BlockMark {
  const match = MARK.exec((line ?? "").trim());
  if (match === null) return { kind: "none" };
  if (match[1]?.startsWith("runnable") === true)
    return match[2] === undefined ? { kind: "runnable" } : { kind: "runnable", needs: match[2] };
  if (match[3] !== undefined) return { kind: "file", name: match[3] };
  return { kind: "output" };
}

/** Every fenced block of a Markdown text, each with the marker on the line just before its fence. */
export function codeBlocks(file: string, text: string): CodeBlock[] {
  const lines = text.split("\n");
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i] ?? "");
    if (open === null) continue;
    const fence = open[1] ?? "```";
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !(lines[j] ?? "").startsWith(fence)) body.push(lines[j++] ?? "");
    blocks.push({ file, line: i + 1, language: open[2] ?? "", code: `${body.join("\n")}\n`, mark: markOf(lines[i - 1]) });
    i = j;
  }
  return blocks;
}

/** The text outside fenced blocks and inline code, where links and headings live. */
export function prose(text: string): string {
  return text.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "").replace(/`[^`\n]*`/g, "");
}

/** A link as written: its target and the line it is on. */
export interface Link {
  readonly target: string;
  readonly line: number;
}

/** Relative links (no scheme): `[text](docs/redis.md#keys)`, `[text](#anchor)`. */
export function relativeLinks(text: string): Link[] {
  const links: Link[] = [];
  prose(text)
    .split("\n")
    .forEach((line, index) => {
      for (const match of line.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        const target = match[1] ?? "";
        if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) links.push({ target, line: index + 1 });
      }
    });
  return links;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

/** The anchors of a Markdown file's headings, with GitHub's `-1`, `-2` suffixes for repeated ones. */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const match of prose(readableHeadings(text)).matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const base = slug(match[1] ?? "");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

/** Headings with their inline code kept as text (`## Decision server (`hexarch serve`)` anchors on its words). */
function readableHeadings(text: string): string {
  return text.replace(/^(#{1,6}\s+.*)$/gm, (line) => line.replace(/`/g, ""));
}

/** Reads a file of the repository. */
export function readRepoFile(path: string): string {
  return readFileSync(join(ROOT, path), "utf8");
}
