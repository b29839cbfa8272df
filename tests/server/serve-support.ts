// Starts a decision server in this process on a free port, over a policy file in a temporary folder, and calls it over real HTTP.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "../../src/errors/warnings.js";
import { startServer, type RunningServer, type ServeOptions } from "../../src/server/start.js";

/** Policies most server tests use: a confirmation, a small rate limit, a budget and a per-user limit. */
export const SERVER_POLICIES = `policies:
  - id: safe_delete
    rules:
      - operation: delete
        action: require_confirmation
  - id: tight
    rules:
      - resource: tight
        requests_per_minute: 3
        key: user
  - id: spend
    rules:
      - resource: openai
        daily_budget: 10
`;

/** A logger that keeps lines, for asserting on what the server said. */
export function keptLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (object: Record<string, unknown>, message: string) =>
    void lines.push(`${level} ${message} ${JSON.stringify(object, (k, v: unknown) => (v instanceof Error ? v.message : v))}`);
  return { lines, info: keep("info"), warn: keep("warn"), error: keep("error") };
}

/** A server under test, with its folder and a JSON caller. */
export interface TestServer {
  readonly server: RunningServer;
  readonly dir: string;
  readonly policyFile: string;
  readonly logger: ReturnType<typeof keptLogger>;
  /** POSTs JSON (or raw text) and returns status, headers and parsed body. */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Answer>;
  get(path: string, headers?: Record<string, string>): Promise<Answer>;
  stop(): Promise<void>;
}

/** One HTTP answer. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read fields of known answers
  readonly body: any;
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (metrics): the text itself
  }
  return { status: response.status, headers: response.headers, body };
}

/**
 * Starts a server over `policies` (YAML text) in a fresh folder; extra files (a keys file) can be written first.
 * @example const t = await startTestServer(); const { body } = await t.post("/v1/decisions", { context: {} }); await t.stop();
 */
export async function startTestServer(
  policies = SERVER_POLICIES,
  options: Partial<ServeOptions> = {},
  files: Record<string, string> = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), "hexarch-serve-"));
  const policyFile = join(dir, "hexarch.yaml");
  writeFileSync(policyFile, policies);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const logger = keptLogger();
  const server = await startServer({
    policyFile,
    port: 0,
    logger,
    env: { HEXARCH_SECRET: "test-secret-of-enough-length-0123" },
    cwd: dir,
    ...options,
  });
  const send = async (method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
    const init: RequestInit = { method, headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers } };
    if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
    return answer(await fetch(`${server.url}${path}`, init));
  };
  return {
    server,
    dir,
    policyFile,
    logger,
    post: (path, body, headers) => send("POST", path, body, headers),
    get: (path, headers) => send("GET", path, undefined, headers),
    stop: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
