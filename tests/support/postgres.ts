// Test harness for PostgreSQL: a postgres server of the test's own (initdb in a temp folder, free port), or DATABASE_URL.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, it } from "vitest";
import { freePort, eventually } from "./redis.js";

/** The bin folder of the newest PostgreSQL installed from the distribution's packages, if any. */
function postgresBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], "bin");
}

/** A URL given by the environment for tests that only need some PostgreSQL. */
export function givenPostgresUrl(): string | undefined {
  return process.env["HEXARCH_LOG_POSTGRES_URL"] || process.env["DATABASE_URL"] || undefined;
}

/** What the tests need: any PostgreSQL (a URL is enough), or binaries to start, stop and restart a server. */
export type PostgresNeed = "any" | "own-server";

/** Why Postgres tests cannot run here, or undefined when they can. */
export function missingPostgres(need: PostgresNeed): string | undefined {
  if (postgresBin() !== undefined) return undefined;
  if (need === "any" && givenPostgresUrl() !== undefined) return undefined;
  return need === "any"
    ? "no DATABASE_URL / HEXARCH_LOG_POSTGRES_URL and no PostgreSQL binaries in /usr/lib/postgresql"
    : "these tests start, stop and restart their own postgres, and no PostgreSQL binaries are installed";
}

/** `describe` for tests that need PostgreSQL: skipped with the reason when there is none, a failure under CI=true. */
export function describeWithPostgres(name: string, need: PostgresNeed, body: () => void): void {
  const reason = missingPostgres(need);
  if (reason === undefined) describe(name, body);
  else if (process.env["CI"] === "true") {
    describe(name, () => {
      it("has a PostgreSQL to test against", () => {
        throw new Error(`CI=true but ${reason}: install postgresql (.ci/run does) or set DATABASE_URL`);
      });
    });
  } else {
    console.warn(`[postgres tests] skipping "${name}": ${reason}`);
    describe.skip(`${name} (skipped: ${reason})`, body);
  }
}

/**
 * Inside a describeWithPostgres body: the PostgreSQL of the suite, the environment's (DATABASE_URL) or else a server of
 * its own, started before the suite's tests and removed after them. The returned function gives its URL once started.
 * @example const postgresUrl = suitePostgres(); it("…", async () => { await sql(postgresUrl(), "SELECT 1"); });
 */
export function suitePostgres(): () => string {
  let own: PostgresServer | undefined;
  let url = "";
  beforeAll(async () => {
    const given = givenPostgresUrl();
    if (given === undefined) own = await PostgresServer.start();
    url = given ?? own?.url ?? "";
  }, 60_000);
  afterAll(() => own?.remove());
  return () => url;
}

/** A table name no other test uses. */
export function uniqueTable(label: string): string {
  return `test_${label}_${process.pid}_${randomBytes(4).toString("hex")}`;
}

/** Spawn options that run a program as the postgres user when this process is root (postgres refuses to run as root). */
function postgresUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string): number => Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout.trim());
  return { uid: id("-u"), gid: id("-g") };
}

/** A postgres server started by a test in a temporary folder, with durability off for speed. */
export class PostgresServer {
  readonly port: number;
  readonly #bin: string;
  readonly #dir: string;
  #process: ChildProcess | undefined;

  private constructor(bin: string, dir: string, port: number) {
    this.#bin = bin;
    this.#dir = dir;
    this.port = port;
  }

  /** Creates a cluster in a temporary folder and starts it on a free port. */
  static async start(): Promise<PostgresServer> {
    const bin = postgresBin();
    if (bin === undefined) throw new Error("no PostgreSQL binaries in /usr/lib/postgresql");
    const dir = mkdtempSync(join(tmpdir(), "hexarch-pg-"));
    const user = postgresUser();
    if (user.uid !== undefined && user.gid !== undefined) chownSync(dir, user.uid, user.gid);
    const made = spawnSync(join(bin, "initdb"), ["-D", join(dir, "data"), "-A", "trust", "-U", "postgres", "--no-sync"], {
      encoding: "utf8",
      ...user,
    });
    if (made.status !== 0) throw new Error(`initdb failed: ${made.stderr}`);
    const server = new PostgresServer(bin, dir, await freePort());
    await server.restart();
    return server;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** Starts the server (again) on the same port and waits until it accepts connections. */
  async restart(): Promise<void> {
    const args = [
      "-D",
      join(this.#dir, "data"),
      "-p",
      String(this.port),
      "-h",
      "127.0.0.1",
      "-k",
      this.#dir,
      "-c",
      "fsync=off",
      "-c",
      "synchronous_commit=off",
      "-c",
      "full_page_writes=off",
    ];
    const child = spawn(join(this.#bin, "postgres"), args, { stdio: ["ignore", "ignore", "pipe"], ...postgresUser() });
    child.stderr?.resume();
    child.on("error", (error) => console.error(`[postgres tests] postgres could not be started: ${error.message}`));
    this.#process = child;
    const killOnExit = (): void => void child.kill("SIGKILL");
    process.once("exit", killOnExit);
    child.once("exit", () => process.removeListener("exit", killOnExit));
    await eventually(
      async () => {
        const client = new pg.Client({ connectionString: this.url });
        client.on("error", () => undefined);
        await client.connect();
        await client.end();
        return true;
      },
      300,
      100,
    );
  }

  /** Stops the server (fast shutdown: open connections are cut) and waits until it is gone. */
  async stop(): Promise<void> {
    const child = this.#process;
    this.#process = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const gone = new Promise((done) => child.once("exit", done));
    child.kill("SIGINT");
    await gone;
  }

  /** Stops the server and removes its folder. */
  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
