// Runs `hexarch serve` in a process of its own (for signals), and holds a request open in it until the test lets it finish.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

/** A `hexarch serve` process. */
export interface ServeProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** What it printed so far, standard output and standard error together. */
  output(): string;
  /** How it ended. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
}

/** Resolves once `test(text)` holds for what `child` printed, or rejects when it exits first or after `ms`. */
function printed(child: ServeProcess, test: (text: string) => boolean, ms = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`not printed within ${ms} ms: ${child.output()}`)), ms);
    const look = (): void => void (test(child.output()) && finish());
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      child.child.stdout?.off("data", look);
      child.child.stderr?.off("data", look);
      if (error === undefined) resolve();
      else reject(error);
    };
    child.child.stdout?.on("data", look);
    child.child.stderr?.on("data", look);
    void child.exited.then(() => finish(new Error(`hexarch serve exited: ${child.output()}`)));
    look();
  });
}

/**
 * Starts `hexarch serve policyFile --port 0 ...args` and resolves once it listens.
 * @example const serve = await startServeProcess(file, ["--api-token", "t"]); serve.child.kill("SIGTERM"); await serve.exited;
 */
export async function startServeProcess(
  policyFile: string,
  args: readonly string[] = [],
  env: Record<string, string> = {},
): Promise<ServeProcess> {
  const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), CLI, "serve", policyFile, "--port", "0", ...args], {
    env: { ...process.env, HEXARCH_SECRET: "lifecycle-secret-of-enough-length-01", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => void (text += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => void (text += chunk));
  const exited = once(child, "exit").then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  const serve = { url: "", child, output: () => text, exited };
  await printed(serve, (out) => out.includes("listening on"));
  return { ...serve, url: /listening on (http:\/\/\S+)/.exec(text)?.[1] ?? "" };
}

/** Resolves once the process has printed `words` (e.g. that it is stopping). */
export function untilPrinted(serve: ServeProcess, words: string): Promise<void> {
  return printed(serve, (out) => out.includes(words));
}

/** A request the server has begun: its headers are in and answered `100 Continue`; its body is not sent yet. */
export interface HeldRequest {
  /** Sends the body. */
  finish(): void;
  /** The status line of the final answer ("" when the connection closed without one), once the connection closes. */
  readonly status: Promise<string>;
}

/**
 * POSTs `body` to `path` with `Expect: 100-continue` and resolves once the server has read the headers and is waiting for
 * the body: from then on the request is in flight, as far as the server knows.
 * @example const held = await holdRequest(url, "/v1/decisions", body, key); child.kill("SIGTERM"); held.finish(); await held.status;
 */
export async function holdRequest(url: string, path: string, body: string, key?: string): Promise<HeldRequest> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let text = "";
  socket.setEncoding("utf8").on("data", (chunk: string) => void (text += chunk));
  socket.on("error", () => undefined);
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  const auth = key === undefined ? "" : `authorization: Bearer ${key}\r\n`;
  socket.write(
    `POST ${path} HTTP/1.1\r\nhost: ${hostname}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `expect: 100-continue\r\n${auth}\r\n`,
  );
  await new Promise<void>((resolve, reject) => {
    const look = (): void => {
      if (text.startsWith("HTTP/1.1 100")) resolve();
      else if (text !== "") reject(new Error(`answered before the body: ${text}`));
    };
    socket.on("data", look);
    void closed.then(() => reject(new Error(`closed before 100 Continue: ${text}`)));
  });
  const status = closed.then(() => text.split("\r\n").find((line) => /^HTTP\/1\.1 [2-5]\d\d/.test(line)) ?? "");
  return { finish: () => void socket.end(body), status };
}
