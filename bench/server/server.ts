// One benchmark decision server (hexarch serve on the Quick Start policies, one API key) with a CPU-time endpoint; prints its port.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
// The server runs from source under tsx (it is not a package entry; the CLI loads it as a chunk of its own).
import { startServer } from "../../src/server/start.js";
import { BENCH_POLICIES, BENCH_SECRET } from "../policies.js";

const [store = "memory", redisUrl = "", prefix = "bench:", apiToken = ""] = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), "hexarch-bench-serve-"));
const policyFile = join(dir, "hexarch.yaml");
const logging = store === "log" ? `\nlogging:\n  file: ${JSON.stringify(join(dir, "decisions.log"))}\n` : "";
const redis = store === "redis" ? `\nstore:\n  prefix: ${JSON.stringify(prefix)}\n` : "";
writeFileSync(policyFile, `${BENCH_POLICIES}${logging}${redis}`);

const quiet = {
  info() {},
  warn() {},
  error(object: Record<string, unknown>, message: string) {
    console.error(message, object);
  },
};
const server = await startServer({
  policyFile,
  port: 0,
  // A key is required (the dev token), so every decision goes through auth; the server's own per-caller limit stays on,
  // raised out of reach as the policies' rate limit is.
  ...(apiToken === "" ? {} : { apiToken }),
  callerLimit: 1_000_000,
  logger: quiet,
  env: { HEXARCH_SECRET: BENCH_SECRET, ...(store === "redis" ? { HEXARCH_REDIS_URL: redisUrl } : {}) },
  cwd: dir,
  routes: (app) => {
    app.get("/cpu", (c) => {
      const { user, system } = process.cpuUsage();
      return c.json({ micros: user + system });
    });
  },
});
console.log(`PORT ${server.port}`);
// Closing lets the process end on its own, so a profiled run (bench:serve:profile) writes its profile.
for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => void server.close());
