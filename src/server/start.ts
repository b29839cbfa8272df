// Starts a decision server: policies, store, log, keys and secret from the file and environment; reload on change; graceful stop.
import { Server as NetServer, type AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { configuredSecret, processConfirmSecret } from "../adapters/core/index.js";
import { createGuardian, type Guardian } from "../guardian/create-guardian.js";
import { loadPolicyFile } from "../engine/config/load.js";
import { discoverPolicyFile } from "../engine/config/discover.js";
import type { Logger } from "../errors/warnings.js";
import { decisionLogFromConfig, logTarget } from "../log/settings.js";
import { MemoryStore } from "../stores/memory.js";
import { storeFromConfig } from "../guardian/store-from-config.js";
import { KeyAccess, KeyRing, keysFileFor, readKeys, recordLastUse } from "./api-keys.js";
import { createApp, DEFAULT_BODY_LIMIT } from "./app.js";
import { Confirmations } from "./confirmations.js";
import { createMetrics } from "./metrics.js";
import { fileVersion, watchPath } from "./file-watch.js";
import { PolicyRuntime } from "./policy-runtime.js";
import { DecisionIds } from "./reservation-id.js";
import { ReservationBook } from "./reservations.js";
import type { ServerDeps, ServerEnv } from "./server-deps.js";
import { connectionLimits } from "./time-limits.js";
import { createNotifier } from "../notify/create-notifier.js";
import { ReloadableNotifier } from "./reloadable-notifier.js";
import { approvalStepRecorder } from "../guardian/approvals/approvals-setup.js";
import type { Hono } from "hono";

/** How to run a decision server. */
export interface ServeOptions {
  /** Policy file. Default: `HEXARCH_POLICY_FILE`, else hexarch.yaml discovered from `cwd`. */
  readonly policyFile?: string | undefined;
  /** Address to bind. Default: 127.0.0.1; another address needs API keys or a dev token. */
  readonly host?: string | undefined;
  /** Port. Default: 8099; 0 picks a free one. */
  readonly port?: number | undefined;
  /** Dev token accepted as a key with every scope; off loopback at least 32 characters. Default: `HEXARCH_API_TOKEN`. */
  readonly apiToken?: string | undefined;
  /** Origin allowed to call from browsers; default: no CORS headers at all. */
  readonly cors?: string | undefined;
  /** Most bytes of a request body. Default: 1 MiB. */
  readonly bodyLimit?: number | undefined;
  /** Calls per second each key may make to this server; 0 turns the limit off. Default: 1000. */
  readonly callerLimit?: number | undefined;
  /** Offer /v1/keys (create, list, revoke; admin scope). Default: false, keys are managed with `hexarch keys` only. */
  readonly manageKeys?: boolean | undefined;
  /** Confirmation token lifetime in seconds. Default: 300. */
  readonly confirmTtl?: number | undefined;
  /** Seconds for a request's line and headers to arrive, then 408 and the connection closed. Default: 10. */
  readonly headersTimeout?: number | undefined;
  /** Seconds for the whole request, headers and body, to arrive, then 408 and the connection closed. Default: 30. */
  readonly requestTimeout?: number | undefined;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  readonly logger: Logger;
  /** Adds routes of the embedder's own behind the same middleware and auth (under `/v1/` they need the decide scope). */
  readonly routes?: ((app: Hono<ServerEnv>) => void) | undefined;
}

/** A running server. */
export interface RunningServer {
  /** `http://host:port`. */
  readonly url: string;
  readonly port: number;
  /** Reads the policy and keys files again now (what SIGHUP does); true when the policy file was taken. */
  reload(): boolean;
  /** Stops accepting, answers what is in flight (for up to 10 s), writes the log out, closes the store. */
  close(): Promise<void>;
  /** Closes every connection now, leaving requests in flight unanswered (a second SIGTERM); `close()` still writes the log out. */
  cutInFlight(): void;
}

/** Refused to start: the reason names the fix. */
export class ServeRefusal extends Error {
  override readonly name = "ServeRefusal";
}

const LOOPBACK = /^(?:127(?:\.\d{1,3}){3}|::1|\[::1\]|localhost)$/i;
/** Shortest dev token accepted off loopback (on loopback any length). */
const MIN_DEV_TOKEN_LENGTH = 32;
/** How often the policy and keys files are checked for changes (a valid edit is live within a second). */
const WATCH_INTERVAL_MS = 250;
/** How often last-used times are written to the keys file. */
const LAST_USED_EVERY_MS = 10_000;
/** Longest wait for requests in flight on shutdown. */
const DRAIN_MS = 10_000;

/** The server's own limit on its callers: a built-in policy on its own memory store. */
function callerLimiter(perSecond: number): Guardian | undefined {
  if (perSecond === 0) return undefined;
  return createGuardian({
    policies: [{ id: "hexarch_server_callers", rules: [{ requests_per_second: perSecond, key: "api_key" }] }],
    env: {},
    decisionLog: false,
    store: new MemoryStore(),
  });
}

/**
 * Starts `hexarch serve`. Throws PolicyConfigError for a broken policy file, and ServeRefusal for a non-loopback
 * address without keys or with a dev token shorter than 32 characters, or a time limit out of range.
 * @example const server = await startServer({ policyFile: "hexarch.yaml", port: 0, logger }); await server.close();
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const { logger } = options;
  const host = options.host ?? "127.0.0.1";
  const limits = connectionLimits(options);
  if (typeof limits === "string") throw new ServeRefusal(`refusing to start: ${limits}`);
  const path = discoverPolicyFile({
    cwd,
    env: { ...env },
    ...(options.policyFile === undefined ? {} : { policyFile: options.policyFile }),
  });
  const keysPath = keysFileFor(path);
  // Taken before either file is read, so an edit made during start-up is reloaded.
  const policyVersion = fileVersion(path);
  const keysVersion = fileVersion(keysPath);
  const apiToken = options.apiToken ?? env["HEXARCH_API_TOKEN"];
  const lastUsed = new Map<string, number>();
  const loopback = LOOPBACK.test(host);
  const keys = new KeyAccess(new KeyRing(readKeys(keysPath), apiToken, lastUsed), !loopback);
  if (!loopback && !keys.current.required) {
    throw new ServeRefusal(
      `refusing to listen on ${host} without API keys: anyone who reaches it could decide and spend budgets. Create a key (hexarch keys create --scope decide --name app), set --api-token, or bind 127.0.0.1`,
    );
  }
  if (!loopback && apiToken !== undefined && apiToken !== "" && apiToken.length < MIN_DEV_TOKEN_LENGTH) {
    throw new ServeRefusal(
      `refusing to listen on ${host} with a ${apiToken.length}-character dev token: a short token is guessed. Use at least ${MIN_DEV_TOKEN_LENGTH} characters (32 random bytes, base64), or API keys (hexarch keys create), or bind 127.0.0.1`,
    );
  }
  const loaded = loadPolicyFile(path);
  const environment = env["HEXARCH_ENV"] ?? env["NODE_ENV"] ?? "development";
  const store = storeFromConfig(loaded, { env, cwd, logger }) ?? new MemoryStore();
  const log = decisionLogFromConfig(loaded, { env, cwd, logger, environment });
  const metrics = createMetrics(log);
  const notifierOptions = { env, logger, onDrop: (count: number) => metrics.notificationsDropped.inc(count) };
  const notifier = new ReloadableNotifier(loaded.spec.notify ?? [], (targets) => createNotifier(targets, notifierOptions));
  const onApprovalStep = log === undefined ? undefined : approvalStepRecorder(log);
  const runtime = new PolicyRuntime({ path, store, env, cwd, logger, notifier, onApprovalStep });
  const secret = configuredSecret(undefined, env) ?? processConfirmSecret(logger);
  const ids = new DecisionIds(secret);
  const deps: ServerDeps = {
    runtime,
    keys,
    store,
    log,
    logTarget: logTarget(loaded, env, cwd),
    logKey: env["HEXARCH_LOG_KEY"],
    ids,
    reservations: new ReservationBook(store, ids, (error) =>
      logger.error({ err: error }, "hexarch serve: a reservation past its reservation_ttl could not be counted as spent"),
    ),
    confirmations: new Confirmations(secret, store, (options.confirmTtl ?? 300) * 1000),
    metrics,
    callerLimit: callerLimiter(options.callerLimit ?? 1000),
    manageKeys: options.manageKeys === true ? keysPath : undefined,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    cors: options.cors,
    logger,
  };
  const app = createApp(deps);
  options.routes?.(app);

  const server = serve({ fetch: app.fetch, port: options.port ?? 8099, hostname: host, serverOptions: limits });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const port = (server.address() as AddressInfo).port;

  const reloadKeys = (): void => {
    try {
      keys.replace(new KeyRing(readKeys(keysPath), apiToken, lastUsed));
    } catch (error) {
      logger.error({ err: error }, `hexarch serve: ${keysPath} is broken; the keys read before stay in use`);
    }
  };
  const reload = (): boolean => {
    reloadKeys();
    const taken = runtime.reload();
    if (taken) notifier.retarget(runtime.current.notify);
    metrics.reloads.inc({ result: taken ? "ok" : "refused" });
    return taken;
  };
  const stopPolicyWatch = watchPath(path, WATCH_INTERVAL_MS, () => void reload(), policyVersion);
  const stopKeysWatch = watchPath(keysPath, WATCH_INTERVAL_MS, reloadKeys, keysVersion);
  const writeLastUse = (): void => {
    try {
      recordLastUse(keysPath, lastUsed);
      lastUsed.clear();
    } catch (error) {
      logger.warn({ err: error }, "hexarch serve: could not record when keys were last used");
    }
  };
  const lastUse = setInterval(writeLastUse, LAST_USED_EVERY_MS);
  lastUse.unref();
  const onHup = (): void => void reload();
  process.on("SIGHUP", onHup);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      process.off("SIGHUP", onHup);
      stopPolicyWatch();
      stopKeysWatch();
      clearInterval(lastUse);
      // Only stop listening: http's close() would also stop node's checks of the time limits, and a slow client could then
      // hold the shutdown for all of DRAIN_MS (past a container's grace period, and the log with it). They stop below.
      const drained = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
      // Keep-alive connections go as soon as they fall idle, each after answering what it was sent.
      const sweep = setInterval(() => "closeIdleConnections" in server && server.closeIdleConnections(), 50);
      if ("closeIdleConnections" in server) server.closeIdleConnections();
      const force = setTimeout(() => "closeAllConnections" in server && server.closeAllConnections(), DRAIN_MS);
      await drained;
      clearInterval(sweep);
      clearTimeout(force);
      server.close();
      writeLastUse();
      deps.reservations.close();
      await notifier.close();
      await log?.close();
      await store.close?.();
    })());

  const shownHost = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  const cutInFlight = (): void => void ("closeAllConnections" in server && server.closeAllConnections());
  return { url: `http://${shownHost}:${port}`, port, reload, close, cutInFlight };
}
