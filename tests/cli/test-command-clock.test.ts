// `hexarch test` steps rate windows with `at:` and `after:`: the boundary burst a fixed window lets through, and a sliding window does not.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { runHexarch, tempProject } from "./run-hexarch.js";

let project: ReturnType<typeof tempProject> | undefined;
afterEach(() => project?.remove());

const POLICY = (algorithm: string): string => `
policies:
  - id: per_client
    rules:
      - requests_per_minute: 10
        algorithm: ${algorithm}
`;

/** One call at the case's start, 9 at 59.5 s, 10 at 60.5 s: `late` is what the last ten expect, call by call. */
const CASES = (late: string): string => `
policy: hexarch.yaml
cases:
  - name: "9 calls at 59.5 s and 10 at 60.5 s"
    at: "2026-12-03T16:30:00Z"
    requests:
      - { client: 203.0.113.1, expect: allow }
      - { client: 203.0.113.1, after: 59.5s, repeat: 9, expect: allow }
${late}
`;

it("a fixed window admits all 19 calls around its boundary", async () => {
  project = tempProject();
  writeFileSync(join(project.dir, "hexarch.yaml"), POLICY("fixed_window"));
  writeFileSync(join(project.dir, "hexarch.test.yaml"), CASES("      - { client: 203.0.113.1, after: 60.5s, repeat: 10, expect: allow }"));
  const run = await runHexarch(["test", "hexarch.test.yaml"], { cwd: project.dir });
  expect(run.stdout).toContain("1 passed, 0 failed");
  expect(run.code).toBe(0);
});

it("a sliding window admits exactly one more at 60.5 s and says when the oldest call leaves", async () => {
  project = tempProject();
  writeFileSync(join(project.dir, "hexarch.yaml"), POLICY("sliding_window"));
  const late = [
    "      - { client: 203.0.113.1, after: 60.5s, expect: allow }",
    '      - { client: 203.0.113.1, after: 60500ms, repeat: 9, expect: { outcome: limit, status: 429, reason: "10 calls in the last 60 s; the oldest leaves at 16:31:59.5 UTC" } }',
  ].join("\n");
  writeFileSync(join(project.dir, "hexarch.test.yaml"), CASES(late));
  const run = await runHexarch(["test", "hexarch.test.yaml"], { cwd: project.dir });
  expect(run.stdout).toContain("1 passed, 0 failed");
  expect(run.code).toBe(0);
});

it("refuses a request that states both at: and after:", async () => {
  project = tempProject();
  writeFileSync(join(project.dir, "hexarch.yaml"), POLICY("sliding_window"));
  writeFileSync(
    join(project.dir, "hexarch.test.yaml"),
    CASES('      - { client: 203.0.113.1, at: "2026-12-03T16:31:00Z", after: 1s, expect: allow }'),
  );
  const run = await runHexarch(["test", "hexarch.test.yaml"], { cwd: project.dir });
  expect(run.code).toBe(2);
  expect(run.stderr).toContain("a request states its instant once: at: or after:, not both");
});
