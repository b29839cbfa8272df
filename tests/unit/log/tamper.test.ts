// Tamper evidence on a real 10,000-decision log file: each kind of tampering is detected and named, a torn tail is not tampering.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkpointPath } from "../../../src/log/file-sink.js";
import { loggingGuardian, quickstartWithLogging, tempFolder, verifyFiles } from "./log-support.js";

const KEY = "tamper-test-key-0123456789abcdef";
const DECISIONS = 10_000;
let folder: ReturnType<typeof tempFolder>;
let original: string[];
let checkpoints: string;

beforeAll(async () => {
  folder = tempFolder();
  const file = join(folder.dir, "source.log");
  const guardian = loggingGuardian(quickstartWithLogging([`file: ${JSON.stringify(file)}`, "checkpoint_every: 1000"]), {
    env: { HEXARCH_LOG_KEY: KEY },
  });
  for (let i = 0; i < DECISIONS; i += 1) await guardian.check("rate_limit", { client: `c${i % 97}`, route: `/items/${i}` });
  await guardian.close();
  original = readFileSync(file, "utf8").split("\n").slice(0, -1);
  checkpoints = readFileSync(checkpointPath(file), "utf8");
});
afterAll(() => folder.remove());

/** Writes `lines` (and the original checkpoints) as a log named `name`, returning its path. */
function logWith(name: string, lines: readonly string[], ending = "\n"): string {
  const path = join(folder.dir, `${name}.log`);
  writeFileSync(path, lines.join("\n") + ending);
  writeFileSync(checkpointPath(path), checkpoints);
  return path;
}

/** The first problem found verifying `path` with `key`. */
async function firstProblem(
  path: string,
  key: string | undefined = KEY,
): Promise<{ where: string; what: string; seq: number | undefined }> {
  const report = await verifyFiles([path], key, false);
  expect(report.ok).toBe(false);
  const [problem] = report.problems;
  return { where: problem?.where ?? "", what: problem?.what ?? "", seq: problem?.seq };
}

describe("decision log: tamper evidence", () => {
  it("verifies an untouched log of 10,000 decisions", async () => {
    const report = await verifyFiles([logWith("untouched", original)], KEY, false);
    expect(report).toMatchObject({ ok: true, problems: [], tornTails: [] });
    expect(report.chains).toEqual([expect.objectContaining({ records: DECISIONS + 1, lastSeq: DECISIONS, broken: false })]);
    expect(report.chains[0]?.checkpoints).toBeGreaterThanOrEqual(10);
  });

  it("names an edited byte", async () => {
    const lines = [...original];
    lines[4999] = (lines[4999] ?? "").replace(/"client":"c(\d)/, (_m, digit: string) => `"client":"c${(Number(digit) + 1) % 10}`);
    expect(lines[4999]).not.toBe(original[4999]);
    expect(await firstProblem(logWith("edited", lines))).toEqual({
      where: expect.stringMatching(/edited\.log:5000$/),
      what: "edited",
      seq: 4999,
    });
  });

  it("names a deleted line", async () => {
    const lines = original.filter((_line, index) => index !== 4999);
    expect(await firstProblem(logWith("deleted", lines))).toEqual({
      where: expect.stringMatching(/deleted\.log:5000$/),
      what: "deleted",
      seq: 5000,
    });
  });

  it("names two swapped lines", async () => {
    const lines = [...original];
    [lines[4999], lines[5000]] = [original[5000] ?? "", original[4999] ?? ""];
    expect(await firstProblem(logWith("swapped", lines))).toEqual({
      where: expect.stringMatching(/swapped\.log:5000$/),
      what: "reordered",
      seq: 5000,
    });
  });

  it("names an inserted forged line", async () => {
    const forged = (original[4999] ?? "")
      .replace(/"outcome":"[a-z]+"/, '"outcome":"allow"')
      .replace(/"route":"\/items\/\d+"/, '"route":"/admin/drop"');
    const lines = [...original.slice(0, 4999), forged, ...original.slice(4999)];
    expect(await firstProblem(logWith("inserted", lines))).toEqual({
      where: expect.stringMatching(/inserted\.log:5000$/),
      what: "inserted",
      seq: 4999,
    });
  });

  it("names a tail truncated after a checkpoint", async () => {
    const problem = await firstProblem(logWith("truncated", original.slice(0, 7500)));
    expect(problem).toEqual({ where: expect.stringMatching(/^chain /), what: "truncated", seq: 7499 });
  });

  it("names a wrong key, and a missing one", async () => {
    const path = logWith("keyed", original);
    expect(await firstProblem(path, "another-key")).toEqual({ where: expect.stringMatching(/keyed\.log:1$/), what: "wrong key", seq: 0 });
    const unkeyed = await verifyFiles([path], undefined, false);
    expect(unkeyed.problems).toEqual([expect.objectContaining({ what: "wrong key", detail: expect.stringMatching(/set it to verify/) })]);
  });

  it("reports a record torn by a crash mid-write as a torn tail, not as tampering", async () => {
    const torn = [...original, (original[100] ?? "").slice(0, 40)];
    const report = await verifyFiles([logWith("torn", torn, "")], KEY, false);
    expect(report).toMatchObject({ ok: true, problems: [], tornTails: [expect.stringMatching(/torn\.log:10002$/)] });
  });
});
