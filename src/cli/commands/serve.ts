// `hexarch serve [file]`: the decision server, until SIGTERM or SIGINT stops it gracefully (a second one cuts what is in flight).
import { InvalidArgumentError, type Command } from "commander";
import type { Logger } from "../../index.js";
import { discoverPolicyFile } from "../../engine/config/discover.js";
import { EXIT, UsageError, type ExitCode } from "../exit-codes.js";
import type { Act } from "../program.js";
import type { Terminal } from "../terminal.js";
import type { RunningServer } from "../../server/start.js";
import { MAX_TIMEOUT } from "../../server/time-limits.js";

interface ServeFlags {
  readonly host: string;
  readonly port: number;
  readonly apiToken?: string;
  readonly cors?: string;
  readonly bodyLimit?: number;
  readonly callerLimit?: number;
  readonly confirmTtl?: number;
  readonly headersTimeout?: number;
  readonly requestTimeout?: number;
  readonly manageKeys?: boolean;
}

/** The server's packages, optional peers of hexarch-guardrails. */
const SERVER_PACKAGES = ["hono", "@hono/node-server", "prom-client"];

function wholeNumber(min: number, max: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max)
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return value;
  };
}

/** Log lines on stderr: the level, the message, and the details as JSON. */
function stderrLogger(terminal: Terminal): Logger {
  const line =
    (level: string) =>
    (object: Record<string, unknown>, message: string): void => {
      const { err, ...rest } = object;
      const details = { ...rest, ...(err instanceof Error ? { error: err.message } : {}) };
      terminal.err(`${level} ${message}${Object.keys(details).length === 0 ? "" : ` ${JSON.stringify(details)}`}`);
    };
  return { info: line("info"), warn: line("warn"), error: line("error") };
}

async function loadServer(): Promise<typeof import("../../server/start.js")> {
  try {
    return await import("../../server/start.js");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND")
      throw new UsageError(`hexarch serve needs ${SERVER_PACKAGES.join(", ")}: npm install ${SERVER_PACKAGES.join(" ")}`);
    throw error;
  }
}

/**
 * Says the server listens, waits for SIGTERM or SIGINT, then stops it gracefully; a second signal cuts the connections
 * still open. Both signals are listened for before the server says it listens (a signal right after that line must not
 * meet node's default) and until the log is written out.
 */
async function serveUntilSignal(server: RunningServer, terminal: Terminal): Promise<void> {
  let first: (signal: NodeJS.Signals) => void = () => undefined;
  const signalled = new Promise<NodeJS.Signals>((resolve) => void (first = resolve));
  let seen = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    seen += 1;
    if (seen === 1) first(signal);
    if (seen !== 2) return;
    terminal.err(`hexarch serve: ${signal} again: closing the connections still open now; the log is still written out`);
    server.cutInFlight();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  terminal.out(`hexarch serve: listening on ${server.url} (GET /health, POST /v1/decisions, /openapi.json)`);
  try {
    const signal = await signalled;
    terminal.out(`hexarch serve: ${signal}: stopping: answering requests in flight, writing the log out`);
    await server.close();
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
  }
}

async function serveCommand(terminal: Terminal, file: string | undefined, flags: ServeFlags): Promise<ExitCode> {
  const { startServer, ServeRefusal } = await loadServer();
  let server;
  try {
    server = await startServer({
      // A file named on the command line is checked here, so a missing one is blamed on the command line.
      policyFile:
        file === undefined
          ? undefined
          : discoverPolicyFile({ cwd: terminal.cwd, env: { ...terminal.env }, policyFile: file, givenBy: "the command line" }),
      host: flags.host,
      port: flags.port,
      apiToken: flags.apiToken,
      cors: flags.cors,
      bodyLimit: flags.bodyLimit,
      callerLimit: flags.callerLimit,
      confirmTtl: flags.confirmTtl,
      headersTimeout: flags.headersTimeout,
      requestTimeout: flags.requestTimeout,
      manageKeys: flags.manageKeys,
      env: terminal.env,
      cwd: terminal.cwd,
      logger: stderrLogger(terminal),
    });
  } catch (error) {
    if (error instanceof ServeRefusal) {
      terminal.err(`${terminal.paintErr.red("error:")} ${error.message}`);
      return EXIT.FAILED;
    }
    throw error;
  }
  await serveUntilSignal(server, terminal);
  return EXIT.OK;
}

/**
 * Adds `hexarch serve` to the program.
 * @example registerServe(program, terminal, act)
 */
export function registerServe(program: Command, terminal: Terminal, act: Act): void {
  program
    .command("serve")
    .description("run the decision server: the policy file's decisions over HTTP, for any language")
    .argument("[file]", "policy file (default: HEXARCH_POLICY_FILE, else hexarch.yaml here or above)")
    .option("--host <address>", "address to listen on; anything but loopback needs API keys or --api-token", "127.0.0.1")
    .option("--port <port>", "port to listen on (0: any free port)", wholeNumber(0, 65_535), 8099)
    .option("--api-token <token>", "a dev token accepted with every scope (or HEXARCH_API_TOKEN); off loopback 32+ characters")
    .option("--cors <origin>", "allow browsers from this origin (default: no CORS headers)")
    .option("--body-limit <bytes>", "largest request body accepted (default 1048576)", wholeNumber(1024, 64 * 1024 * 1024))
    .option("--caller-limit <n>", "calls per second each key may make (default 1000; 0: off)", wholeNumber(0, 1_000_000))
    .option("--manage-keys", "offer GET/POST /v1/keys and DELETE /v1/keys/{id} to admin keys (default: off; use hexarch keys)")
    .option("--confirm-ttl <seconds>", "how long a confirmation token lives (default 300)", wholeNumber(1, 86_400))
    .option("--headers-timeout <seconds>", "headers must arrive within this, else 408 (default 10)", wholeNumber(1, MAX_TIMEOUT))
    .option("--request-timeout <seconds>", "the whole request, body too, within this, else 408 (default 30)", wholeNumber(1, MAX_TIMEOUT))
    .addHelpText(
      "after",
      "\nEnvironment: HEXARCH_REDIS_URL (shared counters), HEXARCH_SECRET (tokens and decision ids valid on every instance),\nHEXARCH_LOG_KEY (log MACs and redaction), HEXARCH_API_TOKEN. The policy file's store: and logging: sections apply.\nSIGHUP reloads the policy file (it is also watched). SIGTERM or SIGINT stops gracefully: requests in flight are answered\n(for up to 10 s), the log is written out, exit 0; a second signal closes the connections still open at once.\n\nExamples:\n  $ hexarch serve\n  $ HEXARCH_REDIS_URL=redis://127.0.0.1:6379 hexarch serve hexarch.yaml --host 0.0.0.0 --port 8099\n",
    )
    .action(act((file: string | undefined, flags: ServeFlags) => serveCommand(terminal, file, flags)));
}
