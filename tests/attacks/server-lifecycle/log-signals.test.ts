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
  const added = hooks().map((count, i) => count - (before[i] ?? 0));
  // Signals and exit are untouched; twelve open logs share at most one beforeExit listener (none when another open log
  // of this test worker has registered it already), never the max-listeners warning.
  expect(added.filter((_count, i) => HOOKS[i] !== "beforeExit")).toEqual([0, 0, 0, 0]);
  expect(added[HOOKS.indexOf("beforeExit")]).toBeLessThanOrEqual(1);
  for (const guardian of guardians) await guardian.close();
  expect(hooks()).toEqual(before);
  expect(recordsIn(file).filter((record) => record["type"] === "decision")).toHaveLength(12);
});
