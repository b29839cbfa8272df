// A separate process that logs DECISIONS decisions to LOG_FILE and says "ready". ENDING=handler: it waits, and stops on
// SIGTERM with a handler of its own (process.once) that closes the guardian late and exits with code 3; ENDING=natural: it
// ends on its own without calling close().
import { setTimeout as sleep } from "node:timers/promises";
import { createGuardian } from "../../../src/index.js";
import { quickstartWithLogging } from "../../unit/log/log-support.js";

const guardian = createGuardian({
  policyText: quickstartWithLogging([`file: ${JSON.stringify(process.env["LOG_FILE"])}`, "level: info", "buffer: 100000"]),
  env: {},
});
const decisions = Number(process.env["DECISIONS"] ?? "100");
for (let i = 0; i < decisions; i += 1) await guardian.check("rate_limit", { client: `c${i % 20}` });
if (process.env["ENDING"] === "handler") {
  const wait = setInterval(() => undefined, 60_000);
  process.once("SIGTERM", () => {
    void (async () => {
      await sleep(300);
      await guardian.close();
      clearInterval(wait);
      process.stdout.write("closed\n");
      process.exitCode = 3;
    })();
  });
}
process.stdout.write("ready\n");
