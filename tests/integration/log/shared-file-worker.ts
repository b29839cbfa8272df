// A separate process that logs a decision to LOG_FILE every 4 ms for RUN_MS, then closes and prints how many it made.
import { setTimeout as sleep } from "node:timers/promises";
import { createGuardian } from "../../../src/index.js";
import { quickstartWithLogging } from "../../unit/log/log-support.js";

const guardian = createGuardian({
  policyText: quickstartWithLogging([`file: ${JSON.stringify(process.env["LOG_FILE"])}`]),
  env: {},
});
const until = Date.now() + Number(process.env["RUN_MS"] ?? "2000");
let made = 0;
process.stdout.write("started\n");
while (Date.now() < until) {
  await guardian.check("rate_limit", { client: `w${process.pid}-${made % 30}` });
  made += 1;
  await sleep(4);
}
await guardian.close();
process.stdout.write(`${made}\n`);
