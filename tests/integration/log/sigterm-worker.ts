// A separate process that logs DECISIONS decisions to LOG_FILE, says "ready", and waits to be stopped by SIGTERM.
import { createGuardian } from "../../../src/index.js";
import { quickstartWithLogging } from "../../unit/log/log-support.js";

const guardian = createGuardian({
  policyText: quickstartWithLogging([`file: ${JSON.stringify(process.env["LOG_FILE"])}`, "level: info", "buffer: 100000"]),
  env: {},
});
const decisions = Number(process.env["DECISIONS"] ?? "100");
for (let i = 0; i < decisions; i += 1) await guardian.check("rate_limit", { client: `c${i % 20}` });
setInterval(() => undefined, 60_000);
process.stdout.write("ready\n");
