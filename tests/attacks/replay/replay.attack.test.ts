// Attacks on `hexarch replay`: tampered and hostile logs, unknown fields, odd instants, broken candidates, logs that cannot answer.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { gapRecord } from "../../../src/log/records.js";
import { runHexarch, tempProject } from "../../cli/run-hexarch.js";
import { apiPolicy, at, chainLines, decision, writeLog } from "./crafted-log.js";

let project: ReturnType<typeof tempProject>;
const file = (name: string): string => join(project.dir, name);
const replay = (...args: string[]): ReturnType<typeof runHexarch> => runHexarch(["replay", ...args], { cwd: project.dir });

/** Five calls from one client a minute apart by 10 s: a limit of 3 a minute refuses the 4th and 5th. */
const fiveCalls = (): ReturnType<typeof decision>[] => [0, 10, 20, 30, 40].map((s, i) => decision(`d${i}`, s, "203.0.113.9"));

beforeEach(() => {
  project = tempProject();
  writeFileSync(file("hexarch.yaml"), apiPolicy(5));
  writeFileSync(file("lowered.yaml"), apiPolicy(3));
});
afterEach(() => project.remove());

describe("a log that was tampered with", () => {
  it("is refused, naming the edited record, unless --no-verify; then replayed with a note saying it was not verified", async () => {
    const lines = chainLines(fiveCalls());
    // The attacker hides a refusal: a recorded limit turned into an allow, the MAC left as it was.
    lines[3] = (lines[3] ?? "").replace('"client":"203.0.113.9"', '"client":"198.51.100.1"');
    writeLog(file("app.log"), lines);
    const refused = await replay("hexarch.yaml", "--log", "app.log");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/edited .*app\.log:4/);
    expect(refused.stderr).toMatch(/replay refused: the log does not verify/);
    expect(refused.stdout).not.toMatch(/replayed/);
    const anyway = await replay("hexarch.yaml", "--log", "app.log", "--no-verify", "--json");
    expect(anyway.code).toBe(0);
    expect(JSON.parse(anyway.stdout)).toMatchObject({ total: 5, changed: 0, notes: [expect.stringMatching(/not verified/)] });
  });

  it("a record inserted with a forged MAC is refused the same way", async () => {
    const lines = chainLines(fiveCalls());
    lines.splice(2, 0, (lines[2] ?? "").replace('"d1"', '"forged"'));
    writeLog(file("app.log"), lines);
    const run = await replay("hexarch.yaml", "--log", "app.log");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/replay refused/);
  });
});

describe("hostile and huge records (the attacker writes lines; --no-verify takes them as they are)", () => {
  it("fields of the wrong type, impossible instants and non-records are counted apart, never crash or decide", async () => {
    const hostile = [
      JSON.stringify({ type: "decision", id: 7, time: "2026-12-01T10:00:00Z", outcome: "allow", context: {} }),
      JSON.stringify({ ...decision("t", 0, "x"), time: "yesterday" }),
      JSON.stringify({ ...decision("far", 0, "x"), time: "+275760-09-13T00:00:00.000Z" }),
      JSON.stringify({ ...decision("ctx", 0, "x"), context: "GET /api" }),
      JSON.stringify({ ...decision("ops", 0, "x"), context: { operation: [1, 2], environment: "development" } }),
      JSON.stringify({ ...decision("facts", 0, "x"), context: { facts: { deep: { deeper: {} } }, environment: "development" } }),
      JSON.stringify({ ...decision("asked", 0, "x"), policy_ids: { __proto__: ["api_rate"] } }),
      JSON.stringify({ type: "settle", id: "d0", time: "2026-12-01T10:00:00Z", cost: "lots" }),
      "[1,2,3]",
      "not json at all",
      "null",
    ];
    writeLog(file("app.log"), [...hostile, ...fiveCalls().map((body) => JSON.stringify(body))]);
    const run = await replay("lowered.yaml", "--log", "app.log", "--no-verify", "--json");
    expect(run.stderr).toBe("");
    const result = JSON.parse(run.stdout) as { total: number; changed: number; skipped: { unreadable: number }; notes: string[] };
    expect(result).toMatchObject({ total: 5, changed: 2, skipped: { unreadable: 8 } });
    expect(result.notes).toContainEqual(expect.stringMatching(/^3 lines that are not log records were passed over$/));
  });

  it("a 2 MB route and 10,000 roles replay in bounded time as the strings they are", async () => {
    const huge = decision("huge", 0, "x", {
      context: {
        client: "x",
        environment: "development",
        method: "GET",
        route: `/api/${"a".repeat(2_000_000)}`,
        roles: Array(10_000).fill("r"),
      },
    });
    writeLog(file("app.log"), chainLines([huge, ...fiveCalls()]));
    const started = Date.now();
    const run = await replay("lowered.yaml", "--log", "app.log", "--json");
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(JSON.parse(run.stdout)).toMatchObject({ total: 6, changed: 2 });
  });
});

describe("records with fields this version does not know", () => {
  it("replay them by the fields it knows, verified, unchanged", async () => {
    const future = fiveCalls().map((body, i) => ({
      ...body,
      shard: i,
      context: { ...(body["context"] as object), tenant_tier: "gold", geo: { country: "NL" } },
    }));
    writeLog(file("app.log"), chainLines(future));
    const run = await replay("hexarch.yaml", "--log", "app.log", "--json");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ total: 5, unchanged: 5, skipped: { unreadable: 0 } });
  });
});

describe("--since and --until spellings", () => {
  beforeEach(() => writeLog(file("app.log"), chainLines(fiveCalls())));

  it.each([
    ["a word", "yesterday"],
    ["month 13", "2026-13-45"],
    ["a time without its zone", "2026-12-01T10:00"],
    ["a space for T", "2026-12-01 10:00:00Z"],
    ["epoch milliseconds", "1764583200000"],
    ["a span in words", "7 days"],
    ["a negative span", "-7d"],
    ["weeks", "7w"],
    ["10,000 characters", "x".repeat(10_000)],
  ])("refuses %s with the spellings it takes (exit 2)", async (_name, spelling) => {
    const run = await replay("hexarch.yaml", "--log", "app.log", "--since", spelling);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--since needs an ISO 8601 instant with its zone .* or a span ago \(7d, 12h\)/);
    expect(run.stderr.length).toBeLessThan(400);
  });

  it("counts only the period asked, with the counters of what came before it still counted", async () => {
    const since = new Date(at(25)).toISOString();
    const run = await replay("lowered.yaml", "--log", "app.log", "--since", since, "--json");
    // d3 and d4 (at 30 s and 40 s) are past the lowered limit because d0–d2, outside the period, were still counted.
    expect(JSON.parse(run.stdout)).toMatchObject({ total: 2, changed: 2 });
    const until = await replay("lowered.yaml", "--log", "app.log", "--since", "2026-12-01", "--until", since, "--json");
    expect(JSON.parse(until.stdout)).toMatchObject({ total: 3, changed: 0 });
    const offset = await replay("lowered.yaml", "--log", "app.log", "--since", "2026-12-01T11:00:25+01:00", "--json");
    expect(JSON.parse(offset.stdout)).toMatchObject({ total: 2 });
    expect((await replay("hexarch.yaml", "--log", "app.log", "--since", "30d", "--json")).code).toBe(0);
  });

  it("refuses a --since at or after --until", async () => {
    const run = await replay("hexarch.yaml", "--log", "app.log", "--since", "2026-12-02", "--until", "2026-12-01");
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--since must be before --until/);
  });
});

describe("a broken candidate file", () => {
  it("is named with file, line and column, and nothing is replayed", async () => {
    writeLog(file("app.log"), chainLines(fiveCalls()));
    writeFileSync(
      file("broken.yaml"),
      'policies:\n  - id: api_rate\n    rules:\n      - route: "/api/*"\n        requests_per_minite: 3\n',
    );
    const run = await replay("broken.yaml", "--log", "app.log");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^broken\.yaml:5:9 .*requests_per_minite/m);
    expect(run.stdout).toBe("");
    writeFileSync(file("tabs.yaml"), "policies:\n\t- id: x\n");
    const tabs = await replay("tabs.yaml", "--log", "app.log");
    expect(tabs.code).toBe(1);
    expect(tabs.stderr).toMatch(/^tabs\.yaml:2:\d+ /m);
  });

  it("a missing log file is a clear error, not a crash", async () => {
    const run = await replay("hexarch.yaml", "--log", "nowhere.log");
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no log file at nowhere\.log/);
  });
});

describe("logs that cannot answer say so", () => {
  it("a log written at level: warn is refused: its allowed calls are missing", async () => {
    writeLog(file("app.log"), chainLines(fiveCalls(), "warn"));
    const run = await replay("lowered.yaml", "--log", "app.log");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/replay refused: the log was written at level: warn, which leaves out allowed calls/);
  });

  it("records hashed where the candidate compares the raw value are counted apart; hashed clients still count as one", async () => {
    const hashed = fiveCalls().map((body) => ({ ...body, context: { ...(body["context"] as object), client: "h:abc", user: "h:def" } }));
    writeLog(file("app.log"), chainLines(hashed));
    const counted = await replay("lowered.yaml", "--log", "app.log", "--json");
    expect(JSON.parse(counted.stdout)).toMatchObject({ total: 5, changed: 2, skipped: { redacted: 0 } });
    writeFileSync(file("users.yaml"), apiPolicy(3, '  - id: staff\n    rules:\n      - route: "/api/*"\n        allowed_users: ["ann"]\n'));
    const run = await replay("users.yaml", "--log", "app.log", "--json");
    expect(JSON.parse(run.stdout)).toMatchObject({
      total: 0,
      skipped: { redacted: 5 },
      notes: [expect.stringMatching(/^5 records hash a field/)],
    });
  });

  it("decisions of a policy the candidate removes are counted apart; old records without policy_ids replay as every policy", async () => {
    const bodies = [
      ...fiveCalls(),
      decision("named", 50, "y", { policy_ids: ["gone"], outcome: "limit", policy: "gone" }),
      decision("by-gone", 55, "z", { outcome: "deny", policy: "gone" }),
      decision("old", 58, "w", { policy_ids: undefined }),
      decision("failure", 59, "w", { outcome: "error" }),
    ];
    writeLog(file("app.log"), chainLines(bodies, null));
    const run = await replay("hexarch.yaml", "--log", "app.log", "--json");
    const result = JSON.parse(run.stdout) as { total: number; skipped: Record<string, number>; notes: string[] };
    expect(result).toMatchObject({ total: 6, changed: 0, skipped: { removed: 2, failures: 1 } });
    expect(result.notes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/header does not say its level/),
        expect.stringMatching(/^1 record does not say how they were asked/),
      ]),
    );
  });
});

describe("what the log lost, and policies it never had", () => {
  it("a gap record (records lost in an outage) is named in a note; an unknown --policy is a usage error", async () => {
    writeLog(
      file("app.log"),
      chainLines([...fiveCalls().slice(0, 2), gapRecord(12, at(15), at(18), "disk full"), ...fiveCalls().slice(2)]),
    );
    const run = await replay("hexarch.yaml", "--log", "app.log", "--json");
    expect(JSON.parse(run.stdout)).toMatchObject({
      total: 5,
      notes: [expect.stringMatching(/^12 records were lost while the log could not/)],
    });
    const unknown = await replay("hexarch.yaml", "--log", "app.log", "--policy", "api_rat");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--policy: no policy "api_rat" in hexarch\.yaml; known: api_rate/);
  });
});

describe("several logs written side by side", () => {
  it("are merged by time: the lowered limit falls on the 4th call by time, whichever file holds it", async () => {
    const a = [0, 20, 40].map((s) => decision(`a${s}`, s, "203.0.113.9"));
    const b = [10, 30, 50].map((s) => decision(`b${s}`, s, "203.0.113.9"));
    writeLog(file("one.log"), chainLines(a));
    writeLog(file("two.log"), chainLines(b));
    const run = await replay("lowered.yaml", "--log", "one.log", "two.log", "--json");
    const result = JSON.parse(run.stdout) as { changes: { id: string }[] };
    expect(result.changes.map((c) => c.id)).toEqual(["b30", "a40", "b50"]);
    expect(readFileSync(file("one.log"), "utf8")).toContain('"a0"');
  });
});

describe("records out of time order within one log", () => {
  it("are put back in time order when close; one that comes long after later ones is replayed late, with a note", async () => {
    const shuffled = [0, 10, 20, 40, 30].map((s, i) => decision(`d${i}`, s, "203.0.113.9"));
    writeLog(file("app.log"), chainLines(shuffled));
    const close = JSON.parse((await replay("lowered.yaml", "--log", "app.log", "--json")).stdout) as {
      changes: { id: string }[];
      notes: [];
    };
    expect(close).toMatchObject({ changes: [{ id: "d4" }, { id: "d3" }], notes: [] });
    const stray = [...fiveCalls(), decision("later", 600, "x"), decision("stray", 15, "y")];
    writeLog(file("stray.log"), chainLines(stray));
    const late = JSON.parse((await replay("lowered.yaml", "--log", "stray.log", "--json")).stdout) as { notes: string[] };
    expect(late.notes).toEqual([expect.stringMatching(/^1 record came long after later ones .*replayed late$/)]);
  });
});
