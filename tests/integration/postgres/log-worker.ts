// A separate process that logs every decision into a Postgres table: makes DECISIONS calls, 20 at a time, then closes.
import { createGuardian } from "../../../src/index.js";
import { quickstartWithLogging } from "../../unit/log/log-support.js";

const url = process.env["LOG_URL"] ?? "";
const table = process.env["LOG_TABLE"] ?? "";
const decisions = Number(process.env["DECISIONS"] ?? "1000");
const guardian = createGuardian({
  policyText: quickstartWithLogging([`postgres_url: ${JSON.stringify(url)}`, `postgres_table: ${table}`]),
  env: {},
});
let made = 0;
for (let start = 0; start < decisions; start += 20) {
  const batch = Array.from({ length: Math.min(20, decisions - start) }, (_v, i) =>
    guardian.check("rate_limit", { client: `w${process.pid}-${(start + i) % 50}` }),
  );
  made += (await Promise.all(batch)).length;
}
await guardian.close();
process.stdout.write(`${made}\n`);
