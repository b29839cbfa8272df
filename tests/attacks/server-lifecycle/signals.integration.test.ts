// Attacks on `hexarch serve`'s shutdown: SIGTERM and SIGINT mid-request with and without a log, repeated signals, slow clients.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { recordsIn, verifyFiles } from "../../unit/log/log-support.js";
import { holdRequest, startServeProcess, untilPrinted, type ServeProcess } from "../../server/serve-process.js";
import { slowClient } from "../../server/slow-client.js";

const POLICIES = "policies:\n  - id: p\n    rules:\n      - requests_per_minute: 100\n";

/** Users named in the decision records of `log`. */
function loggedUsers(log: string): (string | undefined)[] {
  return recordsIn(log)
    .filter((record) => record["type"] === "decision")
    .map((record) => (record["context"] as { user?: string }).user);
}

describe("signals to hexarch serve", () => {
  const folders: string[] = [];
  const processes: ServeProcess[] = [];
  afterEach(() => {
    for (const serve of processes.splice(0)) serve.child.kill("SIGKILL");
    for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** A `hexarch serve` over POLICIES (with `logging:` to the returned log file when asked). */
  async function serveWith(logging: boolean, args: readonly string[] = []): Promise<{ serve: ServeProcess; log: string }> {
    const dir = mkdtempSync(join(tmpdir(), "hexarch-signals-"));
    folders.push(dir);
    const log = join(dir, "guardrails.log");
    writeFileSync(join(dir, "hexarch.yaml"), POLICIES + (logging ? `logging:\n  file: ${log}\n` : ""));
    const serve = await startServeProcess(join(dir, "hexarch.yaml"), args);
    processes.push(serve);
    return { serve, log };
  }

  it.each([
    ["SIGTERM", false],
    ["SIGINT", false],
    ["SIGINT", true],
  ] as const)("%s mid-request (logging: %s): the request is answered, then exit 0", async (signal, logging) => {
    const { serve, log } = await serveWith(logging);
    const held = await holdRequest(serve.url, "/v1/decisions", JSON.stringify({ context: { user: "in-flight" } }));
    serve.child.kill(signal);
    await untilPrinted(serve, "stopping");
    held.finish();
    expect(await held.status).toBe("HTTP/1.1 200 OK");
    expect(await serve.exited).toEqual({ code: 0, signal: null });
    if (logging) {
      expect(loggedUsers(log)).toEqual(["in-flight"]);
      expect(await verifyFiles([log])).toMatchObject({ ok: true, problems: [] });
    }
  });

  it("a second and a third signal do not kill it: the second cuts the request still in flight, the log is still written, exit 0", async () => {
    const { serve, log } = await serveWith(true);
    const done = await fetch(`${serve.url}/v1/decisions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ context: { user: "before" } }),
    });
    expect(done.status).toBe(200);
    const held = await holdRequest(serve.url, "/v1/decisions", JSON.stringify({ context: { user: "never-sent" } }));
    serve.child.kill("SIGTERM");
    await untilPrinted(serve, "stopping");
    serve.child.kill("SIGINT");
    await untilPrinted(serve, "SIGINT again");
    serve.child.kill("SIGTERM");
    expect(await held.status).toBe("");
    expect(await serve.exited).toEqual({ code: 0, signal: null });
    expect(loggedUsers(log)).toEqual(["before"]);
    expect(await verifyFiles([log])).toMatchObject({ ok: true, problems: [] });
  });

  it("a slow-loris client cannot hold up the shutdown past its headers limit", async () => {
    const { serve } = await serveWith(false, ["--headers-timeout", "1", "--request-timeout", "2"]);
    const loris = slowClient(serve.url, { first: "GET /health HTTP/1.1\r\n", trickle: "x-pad: a\r\n", everyMs: 100, giveUpMs: 15_000 });
    // The server must have taken the connection before the signal: one still in the listen queue is simply refused.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const signalled = Date.now();
    serve.child.kill("SIGTERM");
    expect(await serve.exited).toEqual({ code: 0, signal: null });
    // Held to the end of the drain, it would take 10 s; at its limit, about 1 s (a loaded machine adds some).
    expect(Date.now() - signalled).toBeLessThan(7000);
    expect((await loris).statusLine).toBe("HTTP/1.1 408 Request Timeout");
  });
});
