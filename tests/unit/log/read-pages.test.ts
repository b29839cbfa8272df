// A log file is read a 1 MiB read at a time: lines that cross the reads must come out whole, numbered, in order.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { logFiles } from "../../../src/log/read.js";
import { tempFolder } from "./log-support.js";

const folder = tempFolder();
afterAll(() => folder.remove());

it("does not split, lose or renumber a line that crosses a read, nor the torn last line, in pages or line by line", async () => {
  const path = join(folder.dir, "long.log");
  // Lines of many lengths around the 1 MiB read, one longer than a read, and a last line with no newline (a torn write).
  const lengths = [10, (1 << 20) - 20, 30, 1 << 21, 5, 700_000, 700_000, 1];
  const texts = lengths.map((length, index) => String(index).repeat(length));
  writeFileSync(path, `${texts.join("\n")}`);
  const log = logFiles([path], { rotated: false });
  const paged: { where: string; text: string; last: boolean }[] = [];
  let pages = 0;
  for await (const page of log.pages()) {
    pages += 1;
    paged.push(...page);
  }
  const expected = texts.map((text, index) => ({ where: `${path}:${index + 1}`, text, last: index === texts.length - 1 }));
  expect(paged).toEqual(expected);
  expect(pages).toBeGreaterThan(1);
  const lined: unknown[] = [];
  for await (const line of log.lines()) lined.push(line);
  expect(lined).toEqual(expected);
});
