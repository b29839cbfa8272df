// The decision log inside an app: it never takes the app's signals, and it leaves no process hook behind once closed.
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { loggingGuardian, quickstartWithLogging, recordsIn, tempFolder } from "../../unit/log/log-support.js";

const HOOKS = ["SIGTERM", "SIGINT", "SIGHUP", "beforeExit", "exit"] as const;
/** How many listeners the process has for each hook the log could want. */
const hooks = (): number[] => HOOKS.map((hook) => process.listenerCount(hook));

let folder: ReturnType<typeof tempFolder>;
beforeEach(() => void (folder = tempFolder()));
afterEach(() => folder.remove());

it("a guardian with logging: adds no SIGTERM, SIGINT or SIGHUP listener to the app's process, so the app's own stays in charge", async () => {
  const before = hooks();
  const file = join(folder.dir, "guardrails.log");
  const guardians = Array.from({ length: 12 }, () => loggingGuardian(quickstartWithLogging([`file: ${JSON.stringify(file)}`])));
  for (const guardian of guardians) await guardian.check("rate_limit", { client: "c" });
  const open = hooks();
  // Twelve open logs share one beforeExit listener (never the max-listeners warning); signals are untouched.
  expect(open.map((count, i) => count - (before[i] ?? 0))).toEqual([0, 0, 0, before[3] === 0 ? 1 : 0, 0]);
  for (const guardian of guardians) await guardian.close();
  expect(hooks()).toEqual(before);
  expect(recordsIn(file).filter((record) => record["type"] === "decision")).toHaveLength(12);
});
