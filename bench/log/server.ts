// One benchmark server: Express + hexarch() with the Quick Start policies, logging nothing, every decision to a file, or to PostgreSQL.
import express from "express";
import type * as ExpressAdapter from "../../src/adapters/express.js";
import { BENCH_DIST } from "../http-load.js";
import { BENCH_POLICIES, BENCH_SECRET } from "../policies.js";

const fromSource = process.env["BENCH_SOURCE"] === "1";
const { hexarch } = (await import(fromSource ? "../../src/adapters/express.js" : `${BENCH_DIST}express.js`)) as typeof ExpressAdapter;

/** The logging: section each variant appends to the bench policies. */
function loggingFor(variant: string | undefined): string {
  if (variant === "hexarch") return "";
  if (variant === "hexarch+file") return `logging:\n  level: info\n  file: ${JSON.stringify(process.env["LOG_FILE"] ?? "")}\n`;
  if (variant === "hexarch+postgres") return `logging:\n  level: info\n  postgres_url: ${JSON.stringify(process.env["LOG_URL"] ?? "")}\n  postgres_table: ${process.env["LOG_TABLE"] ?? ""}\n`;
  throw new Error(`unknown variant ${String(variant)}`);
}

const app = express();
app.disable("x-powered-by");
const middleware = hexarch({ policyText: `${BENCH_POLICIES}\n${loggingFor(process.argv[2])}`, secret: BENCH_SECRET });
app.use(middleware);
app.get("/cpu", (_req, res) => {
  const { user, system } = process.cpuUsage();
  res.json({ micros: user + system });
});
app.get("/items", (_req, res) => {
  res.json({ items: [1, 2, 3] });
});
const server = app.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(`PORT ${typeof address === "object" && address !== null ? address.port : 0}`);
});
process.on("SIGTERM", () => process.exit(0));
