// Which of the package's functions one warmed-up request runs through app.use(hexarch()): files and functions, by V8 precise coverage.
import { Session } from "node:inspector/promises";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import express from "express";
import { hexarch } from "../../src/adapters/express.js";
import { BENCH_POLICIES, BENCH_SECRET } from "../policies.js";

/** The package's own source: only functions defined under src/ count. */
const SOURCE = fileURLToPath(new URL("../../src/", import.meta.url));

interface Case {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

/** An allowed GET, and a DELETE refused with 428 (the Quick Start's safe_delete). */
const CASES: readonly Case[] = [
  { name: "allowed GET", method: "GET", path: "/users/7", status: 200 },
  { name: "428 DELETE", method: "DELETE", path: "/users/7", status: 428 },
];

const app = express();
app.disable("x-powered-by");
app.use(express.json());
app.use(hexarch({ policyText: BENCH_POLICIES, secret: BENCH_SECRET }));
app.all("/users/:id", (req, res) => void res.json({ id: req.params["id"] }));
const server = app.listen(0, "127.0.0.1");
await once(server, "listening");
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

async function send(test: Case): Promise<void> {
  const answer = await fetch(`${base}${test.path}`, { method: test.method });
  await answer.arrayBuffer();
  if (answer.status !== test.status) throw new Error(`${test.name}: expected ${test.status}, got ${answer.status}`);
}

const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.startPreciseCoverage", { callCount: true, detailed: false });

for (const test of CASES) {
  // Two warm-up requests, then the coverage counters are read and reset, then the one request that is measured.
  await send(test);
  await send(test);
  await session.post("Profiler.takePreciseCoverage");
  await send(test);
  const { result } = await session.post("Profiler.takePreciseCoverage");
  const files = new Map<string, string[]>();
  for (const script of result) {
    if (!script.url.startsWith("file://")) continue;
    const path = fileURLToPath(script.url);
    if (!path.startsWith(SOURCE)) continue;
    // With detailed: false each function has one range; its count is how often it ran in the measured request.
    const ran = script.functions.filter((fn) => (fn.ranges[0]?.count ?? 0) > 0 && fn.functionName !== "");
    const anonymous = script.functions.filter((fn) => (fn.ranges[0]?.count ?? 0) > 0 && fn.functionName === "").length;
    if (ran.length + anonymous > 0)
      files.set(path.slice(SOURCE.length), [...ran.map((fn) => fn.functionName), ...Array<string>(anonymous).fill("(anonymous)")]);
  }
  const functions = [...files.values()].reduce((sum, names) => sum + names.length, 0);
  console.log(`${test.name}: ${functions} functions in ${files.size} files`);
  if (process.argv.includes("--list")) for (const [file, names] of files) console.log(`  ${file}: ${names.join(", ")}`);
}

await session.post("Profiler.stopPreciseCoverage");
session.disconnect();
server.close();
