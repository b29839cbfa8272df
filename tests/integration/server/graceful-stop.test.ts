// SIGTERM stops `hexarch serve` gracefully with a decision log too: the request in flight is answered, its record written.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { recordsIn, verifyFiles } from "../../unit/log/log-support.js";
import { holdRequest, startServeProcess, untilPrinted, type ServeProcess } from "../../server/serve-process.js";

let dir: string;
let serve: ServeProcess | undefined;
afterEach(() => {
  serve?.child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

it("SIGTERM mid-request with logging: does not kill hexarch serve: the request is answered, its record written, exit 0", async () => {
  dir = mkdtempSync(join(tmpdir(), "hexarch-stop-"));
  const log = join(dir, "guardrails.log");
  writeFileSync(
    join(dir, "hexarch.yaml"),
    `policies:\n  - id: p\n    rules:\n      - requests_per_minute: 100\nlogging:\n  file: ${log}\n`,
  );
  serve = await startServeProcess(join(dir, "hexarch.yaml"));
  const held = await holdRequest(serve.url, "/v1/decisions", JSON.stringify({ context: { user: "in-flight" } }));
  serve.child.kill("SIGTERM");
  await untilPrinted(serve, "stopping");
  held.finish();
  expect(await held.status).toBe("HTTP/1.1 200 OK");
  expect(await serve.exited).toEqual({ code: 0, signal: null });
  const decisions = recordsIn(log).filter((record) => record["type"] === "decision");
  expect(decisions.map((record) => (record["context"] as { user?: string }).user)).toEqual(["in-flight"]);
  expect(await verifyFiles([log])).toMatchObject({ ok: true, problems: [] });
}, 30_000);
