// Test harness for Redis: REDIS_URL or a redis-server of the test's own (nothing on disk), clients, and key prefixes.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { randomBytes } from "node:crypto";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { Cluster, Redis, type RedisOptions } from "ioredis";
import { afterAll, beforeAll, describe, it } from "vitest";

/** What the tests need: any Redis (REDIS_URL is enough), or a redis-server binary to start, stop and restart. */
export type RedisNeed = "any" | "own-server";

function hasBinary(name: string): boolean {
  return (process.env["PATH"] ?? "").split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Why Redis tests cannot run here, or undefined when they can. */
export function missingRedis(need: RedisNeed): string | undefined {
  if (hasBinary("redis-server") && hasBinary("redis-cli")) return undefined;
  if (need === "any" && process.env["REDIS_URL"]) return undefined;
  return need === "any"
    ? "no REDIS_URL and no redis-server binary on PATH"
    : "these tests start, stop and restart their own redis-server, and none is on PATH";
}

/**
 * `describe` for tests that need Redis: runs them when Redis is available; otherwise skips them with the
 * reason in the suite name, except with CI=true, where a missing Redis fails the run.
 */
export function describeWithRedis(name: string, need: RedisNeed, body: () => void): void {
  const reason = missingRedis(need);
  if (reason === undefined) {
    describe(name, body);
  } else if (process.env["CI"] === "true") {
    describe(name, () => {
      it("has a Redis to test against", () => {
        throw new Error(`CI=true but ${reason}: install redis-server (.ci/run does) or set REDIS_URL`);
      });
    });
  } else {
    console.warn(`[redis tests] skipping "${name}": ${reason}`);
    describe.skip(`${name} (skipped: ${reason})`, body);
  }
}

/** A key prefix no other test uses, so tests sharing one Redis never see each other's counters. */
export function uniquePrefix(label: string): string {
  return `test:${label}:${process.pid}:${randomBytes(4).toString("hex")}`;
}

/** Polls `condition` until it holds (a rejection counts as "not yet"); fails after `attempts` tries `intervalMs` apart. */
export async function eventually(condition: () => Promise<boolean>, attempts = 200, intervalMs = 50): Promise<void> {
  for (let i = 0; i < attempts; i += 1) {
    if (await condition().catch(() => false)) return;
    await sleep(intervalMs);
  }
  throw new Error("condition never held");
}

/** Listens on a loopback port (0: any) and lets go at once; the port, or undefined when it is taken. */
function tryPort(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(undefined));
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : undefined));
    });
  });
}

/** A loopback port that is free now; with `pairedOffset`, the port that far above it is free too (cluster bus ports). */
export async function freePort(pairedOffset?: number): Promise<number> {
  for (;;) {
    const port = await tryPort(0);
    if (port === undefined) continue;
    if (pairedOffset === undefined) return port;
    if (port + pairedOffset <= 65535 && (await tryPort(port + pairedOffset)) !== undefined) return port;
  }
}

/** A redis-server started by a test, on a loopback port, with persistence off. */
export class RedisServer {
  readonly port: number;
  readonly #args: readonly string[];
  #process: ChildProcess | undefined;

  private constructor(port: number, args: readonly string[]) {
    this.port = port;
    this.#args = args;
  }

  /** Starts a server on a free port; `extraArgs` are passed on (cluster mode, for instance). */
  static async start(extraArgs: readonly string[] = [], port?: number): Promise<RedisServer> {
    const server = new RedisServer(port ?? (await freePort()), extraArgs);
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server again on the same port (after `kill`). */
  async restart(): Promise<void> {
    const args = [
      "--port",
      String(this.port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--daemonize",
      "no",
      ...this.#args,
    ];
    const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
    this.#process = child;
    const killOnExit = (): void => void child.kill("SIGKILL");
    process.once("exit", killOnExit);
    child.once("exit", () => process.removeListener("exit", killOnExit));
    await new Promise<void>((resolve, reject) => {
      let output = "";
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes("Ready to accept connections")) {
          child.stdout?.off("data", onData);
          child.stdout?.resume();
          resolve();
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.resume();
      child.once("exit", (code) => reject(new Error(`redis-server on port ${this.port} exited with ${String(code)}:\n${output}`)));
    });
  }

  /** Ends the server at once, as a crash would (SIGKILL), and waits until it is gone. */
  async kill(): Promise<void> {
    const child = this.#process;
    this.#process = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGCONT");
    child.kill("SIGKILL");
    await exited;
  }

  /** Freezes the server (SIGSTOP): connections stay open but nothing answers. */
  pause(): void {
    this.#process?.kill("SIGSTOP");
  }

  /** Thaws a paused server (SIGCONT). */
  resume(): void {
    this.#process?.kill("SIGCONT");
  }
}

/** Where the shared-Redis tests of one file connect: REDIS_URL, else a server of their own. */
export async function redisForTests(): Promise<{ url: string; release: () => Promise<void> }> {
  const fromEnv = process.env["REDIS_URL"];
  if (fromEnv) return { url: fromEnv, release: async () => undefined };
  const server = await RedisServer.start();
  return { url: server.url, release: () => server.kill() };
}

/**
 * Inside a describe: one connected client for the suite (REDIS_URL, else a server of its own), closed after its
 * tests. Returns the getter to read it with in tests.
 */
export function suiteRedisClient(): () => Redis {
  let client: Redis | undefined;
  let release: () => Promise<void> = async () => undefined;
  beforeAll(async () => {
    const redis = await redisForTests();
    release = redis.release;
    client = await connectRedis(redis.url);
  });
  afterAll(async () => {
    client?.disconnect();
    await release();
  });
  return () => client as Redis;
}

/** An ioredis client that is connected (ready) when returned. */
export async function connectRedis(url: string, options: RedisOptions = {}): Promise<Redis> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, ...options });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

/**
 * Three cluster-enabled masters on loopback ports, joined with `redis-cli --cluster create`; config files in a temp folder removed by
 * `stop`.
 */
export async function startRedisCluster(): Promise<{ nodes: { host: string; port: number }[]; stop: () => Promise<void> }> {
  const folder = mkdtempSync(join(tmpdir(), "hexarch-cluster-"));
  const servers: RedisServer[] = [];
  try {
    for (let i = 0; i < 3; i += 1) {
      const port = await freePort(10_000);
      servers.push(
        await RedisServer.start(["--cluster-enabled", "yes", "--cluster-config-file", `nodes-${port}.conf`, "--dir", folder], port),
      );
    }
    const addresses = servers.map((s) => `127.0.0.1:${s.port}`);
    const created = spawnSync("redis-cli", ["--cluster", "create", ...addresses, "--cluster-replicas", "0", "--cluster-yes"], {
      encoding: "utf8",
      timeout: 30_000,
    });
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${created.stdout}${created.stderr}`);
    await Promise.all(servers.map((s) => waitForClusterState(s.port)));
  } catch (error) {
    await Promise.all(servers.map((s) => s.kill()));
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
  return {
    nodes: servers.map((s) => ({ host: "127.0.0.1", port: s.port })),
    stop: async () => {
      await Promise.all(servers.map((s) => s.kill()));
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

async function waitForClusterState(port: number): Promise<void> {
  const client = await connectRedis(`redis://127.0.0.1:${port}`);
  try {
    for (let attempt = 0; attempt < 300; attempt += 1) {
      const info = String(await client.call("CLUSTER", "INFO"));
      if (info.includes("cluster_state:ok")) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`cluster node ${port} never reached cluster_state:ok`);
  } finally {
    client.disconnect();
  }
}

/** An ioredis Cluster client over the given nodes, ready when returned. */
export async function connectCluster(nodes: readonly { host: string; port: number }[]): Promise<Cluster> {
  const cluster = new Cluster([...nodes], { lazyConnect: true, redisOptions: { maxRetriesPerRequest: 1 } });
  cluster.on("error", () => undefined);
  await cluster.connect();
  return cluster;
}

/**
 * Every command a client sends Redis whose arguments mention `marker` (a test's key prefix), seen through
 * MONITOR on a connection of its own; commands run inside Lua scripts are not counted. `settled()` waits until everything sent before it
 * has been seen.
 */
export class CommandLog {
  readonly commands: string[][] = [];
  readonly #monitor: Redis;
  readonly #probe: Redis;
  readonly #marker: string;
  #sequence = 0;
  #waiting: { token: string; resolve: () => void } | undefined;

  private constructor(monitor: Redis, probe: Redis, marker: string) {
    this.#monitor = monitor;
    this.#probe = probe;
    this.#marker = marker;
    monitor.on("monitor", (_time: string, args: string[], source: string) => {
      if (source === "lua") return;
      const token = this.#waiting?.token;
      if (token !== undefined && args.includes(token)) {
        this.#waiting?.resolve();
        return;
      }
      if (args.some((arg) => arg.includes(marker))) this.commands.push(args);
    });
  }

  static async watch(url: string, marker: string): Promise<CommandLog> {
    const probe = await connectRedis(url);
    return new CommandLog(await probe.monitor(), probe, marker);
  }

  /** Resolves once MONITOR has shown every command executed before this call. */
  async settled(): Promise<void> {
    this.#sequence += 1;
    const token = `${this.#marker}:settled:${this.#sequence}`;
    const seen = new Promise<void>((resolve) => {
      this.#waiting = { token, resolve };
    });
    await this.#probe.echo(token);
    await seen;
  }

  /** Forgets what was seen so far. */
  clear(): void {
    this.commands.length = 0;
  }

  stop(): void {
    this.#monitor.disconnect();
    this.#probe.disconnect();
  }
}

/**
 * Counts round trips on one client: a round trip is a run of commands written before any reply to them
 * arrived. Commands sent in the same tick share one; a command sent after a reply starts the next.
 */
export function countRoundTrips(client: Redis): { readonly count: number; reset(): void } {
  let count = 0;
  let replied = true;
  const send = client.sendCommand.bind(client);
  client.sendCommand = (command, stream) => {
    if (replied) {
      count += 1;
      replied = false;
    }
    const sent = send(command, stream);
    command.promise.then(
      () => (replied = true),
      () => (replied = true),
    );
    return sent;
  };
  return {
    get count() {
      return count;
    },
    reset() {
      count = 0;
      replied = true;
    },
  };
}
