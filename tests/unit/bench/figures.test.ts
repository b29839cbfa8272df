// npm run figures: the package and suite figures it writes, and the marked regions it writes them into.
import { describe, expect, it } from "vitest";
import { kilobytes, packageFigures, parseSuiteSummary, replaceRegion, suiteFigures } from "../../../bench/figures.js";
import { readRepoFile } from "../../support/markdown.js";

describe("npm run figures", () => {
  it("writes between the markers and keeps the rest of the text", () => {
    const text = "before\n<!-- figures:package:start -->\nold 219 kB\n<!-- figures:package:end -->\nafter\n";
    expect(replaceRegion(text, "package", "new 297 kB")).toBe(
      "before\n<!-- figures:package:start -->\nnew 297 kB\n<!-- figures:package:end -->\nafter\n",
    );
  });

  it("refuses a text whose markers were renamed or removed, instead of writing nothing", () => {
    expect(() => replaceRegion("<!-- figures:size:start --><!-- figures:size:end -->", "package", "x")).toThrow(/no region/);
  });

  it("states the size npm pack reports, in npm's kB", () => {
    const line = packageFigures({
      version: "0.1.0",
      size: 297_412,
      unpackedSize: 1_089_000,
      entryCount: 3,
      files: [
        { path: "dist/index.js", size: 900_000 },
        { path: "dist/cli.js", size: 9_000 },
        { path: "docs/redis.md", size: 7_000 },
      ],
    });
    expect(line).toContain(
      "a 297 kB tarball of 3 files, 1089 kB unpacked, of which 909 kB is the code in `dist/` (2 files, no source maps)",
    );
    expect(kilobytes(8_896)).toBe("8.9 kB");
  });

  it("reads vitest's summary line, coloured or not", () => {
    expect(
      parseSuiteSummary("\u001b[2m      Tests \u001b[22m \u001b[1m\u001b[32m971 passed\u001b[39m\u001b[22m | 2 skipped (973)"),
    ).toEqual({
      passed: 971,
      skipped: 2,
    });
    expect(() => parseSuiteSummary("npm ERR!")).toThrow(/no vitest summary/);
    expect(suiteFigures({ seconds: 131.4, passed: 971, skipped: 0, date: "2026-12-07" })).toContain("took 131 s for 971 tests passed");
  });

  it("the README and CONTRIBUTING.md hold the regions the script writes", () => {
    expect(() => replaceRegion(readRepoFile("README.md"), "package", "x")).not.toThrow();
    expect(() => replaceRegion(readRepoFile("CONTRIBUTING.md"), "suite", "x")).not.toThrow();
  });
});
