// Every relative link in the README, CONTRIBUTING.md and docs/ leads somewhere: a file, and a heading when it names one.
// Links in shipped pages also lead to a shipped file, so they work in node_modules/hexarch-guardrails as in a clone.
import { existsSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { anchors, documentationFiles, readRepoFile, relativeLinks, ROOT } from "../../support/markdown.js";

const packageFiles: readonly string[] = (JSON.parse(readRepoFile("package.json")) as { files: string[] }).files;

/** True when `npm pack` ships the path: it is one of package.json's `files` entries or lies in one of them. */
function shipped(path: string): boolean {
  return ["package.json", ...packageFiles].some((entry) => path === entry || path.startsWith(`${entry}/`));
}

/** Each broken link of one file, as `file:line target: why`. */
function brokenLinks(file: string): string[] {
  const problems: string[] = [];
  for (const { target, line } of relativeLinks(readRepoFile(file))) {
    const [pathPart = "", anchor] = target.split("#");
    const path = pathPart === "" ? file : normalize(join(dirname(file), decodeURIComponent(pathPart)));
    const where = `${file}:${line} ${target}`;
    if (path.startsWith("..") || !existsSync(join(ROOT, path))) {
      problems.push(`${where}: no file ${path}`);
      continue;
    }
    if (shipped(file) && !shipped(path)) problems.push(`${where}: ${path} is not in package.json "files"`);
    if (anchor !== undefined && anchor !== "") {
      if (!path.endsWith(".md") || statSync(join(ROOT, path)).isDirectory()) problems.push(`${where}: an anchor into a non-Markdown file`);
      else if (!anchors(readRepoFile(path)).has(anchor)) problems.push(`${where}: no heading #${anchor} in ${relative(".", path)}`);
    }
  }
  return problems;
}

describe("documentation links", () => {
  it.each(documentationFiles())("every relative link in %s resolves", (file) => {
    expect(brokenLinks(file)).toEqual([]);
  });

  it("the shipped pages include the README and every page under docs/", () => {
    expect(documentationFiles().filter((file) => file !== "CONTRIBUTING.md" && !shipped(file))).toEqual([]);
  });
});
